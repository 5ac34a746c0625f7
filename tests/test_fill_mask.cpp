// axbert-mini's masked-LM head gives the top-5 tokens and probabilities that the genuine Hugging
// Face code recorded in ../shared/models/axbert-mini/fillmask_reference.json (within 1e-5).

#include "model/model_folder.h"
#include "text/bert_tokenizer.h"

#include <torch/torch.h>

#include "test_support.h"

#include "common/error.h"

#include <fstream>

#include <nlohmann/json.hpp>

using namespace ax;

class TestFillMask : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesHuggingFace()
    {
        AX_REQUIRE_SHARED(folder, "models/axbert-mini");
        const auto reference = nlohmann::json::parse(std::ifstream(folder / "fillmask_reference.json"));
        LoadedModel loaded = loadModelFolder(folder);
        QVERIFY(loaded.model->heads().maskedLm);
        const BertTokenizer tokenizer = BertTokenizer::fromModelFolder(folder);

        torch::InferenceMode inference;
        int masksCompared = 0;
        double worst = 0;
        for (const auto& entry : reference["cases"]) {
            const Encoding encoding = tokenizer.encode(entry["text"].get<std::string>(), std::nullopt, 128);
            QCOMPARE(encoding.tokens, entry["tokens"].get<std::vector<std::string>>());
            ModelInput input;
            input.inputIds = torch::tensor(encoding.inputIds, torch::kInt64).unsqueeze(0);
            ForwardOptions options;
            options.maskedLm = true;
            const BertOutput output = loaded.model->forward(input, nullptr, options);
            for (const auto& mask : entry["masks"]) {
                const int64_t position = mask["position"].get<int64_t>();
                const torch::Tensor probs = torch::softmax(output.maskedLmLogits[0][position], -1);
                const auto [values, ids] = probs.topk(5);
                for (int64_t k = 0; k < 5; ++k) {
                    const auto& expected = mask["top5"][static_cast<size_t>(k)];
                    QCOMPARE(ids[k].item<int64_t>(), expected["id"].get<int64_t>());
                    QCOMPARE(QString::fromStdString(tokenizer.vocab().token(ids[k].item<int64_t>())),
                             QString::fromStdString(expected["token"].get<std::string>()));
                    worst = std::max(worst, std::abs(values[k].item<double>() - expected["prob"].get<double>()));
                }
                ++masksCompared;
            }
        }
        qInfo("%d masks compared, largest probability difference %.3g", masksCompared, worst);
        QVERIFY(masksCompared >= 6);
        QVERIFY(worst <= 1e-5);
    }
};

AX_TEST_MAIN(TestFillMask)
#include "test_fill_mask.moc"
