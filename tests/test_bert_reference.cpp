// Parity with the genuine Hugging Face BERT code: every output of ../shared/reference (hidden
// states, attention probabilities, pooled output, classification and QA logits, with and without a
// head mask) within 1e-5 absolute.

#include "io/checkpoint.h"
#include "model/model_folder.h"
#include "model/tensor_bridge.h"

#include <torch/torch.h>

#include "test_support.h"

#include "common/error.h"

#include <fstream>

#include <nlohmann/json.hpp>

using namespace ax;

namespace {

constexpr double kTolerance = 1e-5;

struct Comparison {
    int compared = 0;
    double worst = 0;
    std::string worstName;
};

void compare(const Checkpoint& reference, const std::string& name, const torch::Tensor& ours, Comparison& result)
{
    if (reference.find(name) == nullptr) return;  // a few large head-mask tensors were not stored
    const torch::Tensor expected = readTensor(reference, name);
    QVERIFY2(ours.defined(), qPrintable(QString::fromStdString("no output for " + name)));
    QVERIFY2(expected.sizes() == ours.sizes(), qPrintable(QString::fromStdString("shape differs for " + name)));
    const double difference = (expected.to(torch::kFloat64) - ours.to(torch::kFloat64)).abs().max().item<double>();
    ++result.compared;
    if (difference > result.worst) {
        result.worst = difference;
        result.worstName = name;
    }
}

}  // namespace

class TestBertReference : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void matchesHuggingFace_data()
    {
        QTest::addColumn<QString>("model");
        QTest::addColumn<bool>("headMask");
        for (const char* model : {"tiny", "perturbed"})
            for (bool headMask : {false, true})
                QTest::newRow(qPrintable(QString("%1%2").arg(model, headMask ? " with head mask" : "")))
                    << QString(model) << headMask;
    }

    void matchesHuggingFace()
    {
        QFETCH(QString, model);
        QFETCH(bool, headMask);
        AX_REQUIRE_SHARED(folder, "reference/" + model.toStdString());
        LoadedModel loaded = loadModelFolder(folder);
        const Checkpoint reference = Checkpoint::openFile(folder / "outputs.safetensors");
        const auto cases = nlohmann::json::parse(std::ifstream(folder / "cases.json"))["cases"];
        QVERIFY(cases.size() >= 5);

        Approximation approximation;
        if (headMask) {
            const torch::Tensor mask = readTensor(reference, "head_mask");
            approximation = Approximation::none(static_cast<int>(loaded.model->layerCount()));
            for (int64_t layer = 0; layer < mask.size(0); ++layer)
                for (int64_t head = 0; head < mask.size(1); ++head)
                    approximation.layers[static_cast<size_t>(layer)].headMask.push_back(mask[layer][head].item<float>());
        }

        torch::InferenceMode inference;
        Comparison result;
        for (const auto& entry : cases) {
            const std::string key = entry["key"].get<std::string>();
            ModelInput input;
            input.inputIds = readTensor(reference, key + ".input_ids");
            input.tokenTypeIds = readTensor(reference, key + ".token_type_ids");
            input.attentionMask = readTensor(reference, key + ".attention_mask");
            ForwardOptions options;
            options.hiddenStates = options.attentions = true;
            const BertOutput output = loaded.model->forward(input, headMask ? &approximation : nullptr, options);

            const std::string prefix = key + (headMask ? ".headmask." : ".");
            for (size_t i = 0; i < output.hiddenStates.size(); ++i)
                compare(reference, prefix + "hidden_states." + std::to_string(i), output.hiddenStates[i], result);
            for (size_t i = 0; i < output.attentions.size(); ++i)
                compare(reference, prefix + "layer" + std::to_string(i) + ".attention_probs", output.attentions[i], result);
            compare(reference, prefix + "pooled_output", output.pooled, result);
            compare(reference, prefix + "seqcls.logits", output.logits, result);
            compare(reference, prefix + "qa.start_logits", output.startLogits, result);
            compare(reference, prefix + "qa.end_logits", output.endLogits, result);
        }
        qInfo("%s: %d tensors compared, largest difference %.3g (%s)", qPrintable(model), result.compared, result.worst,
              result.worstName.c_str());
        QVERIFY(result.compared >= static_cast<int>(cases.size()) * 8);
        QVERIFY2(result.worst <= kTolerance, qPrintable(QString("largest difference %1 in %2")
                                                            .arg(result.worst)
                                                            .arg(QString::fromStdString(result.worstName))));
    }
};

AX_TEST_MAIN(TestBertReference)
#include "test_bert_reference.moc"
