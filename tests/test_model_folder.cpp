// Loading model folders: every malformed folder gives an error naming the file or tensor and
// what is wrong, never a crash; old and bare checkpoints load; F16/BF16 weights load as float32.

#include "io/safetensors.h"
#include "model/model_folder.h"
#include "model/tensor_bridge.h"
#include "text/vocab.h"

#include <torch/torch.h>

#include "test_support.h"

#include "common/error.h"

#include <fstream>

#include "common/atomic_file.h"

#include <nlohmann/json.hpp>

using namespace ax;
namespace fs = std::filesystem;

namespace {

const nlohmann::json kConfig = {{"model_type", "bert"},      {"vocab_size", 50},          {"hidden_size", 8},
                                {"num_hidden_layers", 2},     {"num_attention_heads", 2},  {"intermediate_size", 12},
                                {"max_position_embeddings", 16}, {"type_vocab_size", 2}};

BertModel freshModel(int labels = 2)
{
    ModelHeads heads;
    heads.numLabels = labels;
    BertModel model(BertConfig::fromJson(kConfig, "test config"), heads);
    model->initialiseWeights(3);
    model->eval();
    return model;
}

// Writes a folder with the given config and tensors (renamed, reshaped or dropped by `edit`).
fs::path writeFolder(const QString& name, const nlohmann::json& config,
                     const std::function<void(std::vector<OwnedTensor>&)>& edit = {})
{
    const fs::path folder = ax::test::scratchFolder(name);
    std::vector<OwnedTensor> tensors;
    for (const auto& [tensorName, tensor] : freshModel()->namedWeights())
        tensors.push_back({tensorName, tensor.detach().clone()});
    if (edit) edit(tensors);
    writeSafetensors(folder / "model.safetensors", viewsForWriting(tensors));
    writeFileAtomically(folder / "config.json", config.dump());
    return folder;
}

torch::Tensor& tensorNamed(std::vector<OwnedTensor>& tensors, const std::string& name)
{
    for (auto& owned : tensors)
        if (owned.name == name) return owned.tensor;
    throw std::runtime_error("no tensor " + name);
}

void expectLoadError(const fs::path& folder, const QStringList& fragments)
{
    try {
        loadModelFolder(folder);
        QFAIL("loading should have failed");
    } catch (const Error& error) {
        for (const QString& fragment : fragments)
            QVERIFY2(QString(error.what()).contains(fragment),
                     qPrintable(QString("\"%1\" does not mention \"%2\"").arg(error.what(), fragment)));
    }
}

}  // namespace

class TestModelFolder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void loadsWhatItSaves()
    {
        BertModel model = freshModel();
        const fs::path folder = ax::test::scratchFolder("saved") / "model";
        saveModelFolder(*model, folder);
        saveModelFolder(*model, folder);  // replacing an existing folder works too
        LoadedModel loaded = loadModelFolder(folder);
        QCOMPARE(loaded.model->heads().numLabels, 2);
        QCOMPARE(loaded.model->parameterCount(), model->parameterCount());
        QCOMPARE(loaded.model->config().id2label.size(), size_t(2));
        for (const auto& entry : fs::directory_iterator(folder.parent_path()))
            QVERIFY2(entry.path().filename() == "model", "no staging folders are left behind");
        torch::InferenceMode inference;
        ModelInput input;
        input.inputIds = torch::tensor({{1, 5, 7, 2}}, torch::kInt64);
        QVERIFY(torch::equal(model->forward(input).logits, loaded.model->forward(input).logits));
    }

    void readsOldAndBareNamesAndHalfPrecision()
    {
        const fs::path folder = writeFolder("legacy", kConfig, [](std::vector<OwnedTensor>& tensors) {
            for (auto& owned : tensors) {
                if (owned.name.rfind("bert.", 0) == 0) owned.name = owned.name.substr(5);
                const auto gamma = owned.name.find("LayerNorm.weight");
                if (gamma != std::string::npos) owned.name.replace(gamma, 16, "LayerNorm.gamma");
                const auto beta = owned.name.find("LayerNorm.bias");
                if (beta != std::string::npos) owned.name.replace(beta, 14, "LayerNorm.beta");
                owned.tensor = owned.tensor.to(torch::kBFloat16).contiguous();
            }
            tensors.push_back({"cls.seq_relationship.weight", torch::zeros({2, 8})});
            tensors.push_back({"extra.unknown", torch::zeros({1})});
        });
        LoadedModel loaded = loadModelFolder(folder);
        QCOMPARE(loaded.model->heads().numLabels, 2);
        QCOMPARE(loaded.ignoredTensors, std::vector<std::string>{"extra.unknown"});
    }

    void malformedFoldersAreRefused_data()
    {
        QTest::addColumn<QString>("problem");
        QTest::addColumn<QStringList>("fragments");
        QTest::newRow("missing tensor") << "missing" << QStringList{"bert.encoder.layer.1.output.dense.weight", "missing"};
        QTest::newRow("wrong shape") << "shape" << QStringList{"bert.encoder.layer.0.intermediate.dense.weight", "[13, 8]", "[12, 8]"};
        QTest::newRow("NaN weight") << "nan" << QStringList{"bert.pooler.dense.weight", "NaN"};
        QTest::newRow("infinite weight") << "inf" << QStringList{"model.safetensors", "bert.encoder.layer.1.attention.self.query.bias", "infinite"};
        QTest::newRow("integer weights") << "integer" << QStringList{"bert.embeddings.LayerNorm.bias", "floating-point"};
        QTest::newRow("labels disagree") << "labels" << QStringList{"config.json", "3 labels", "2 outputs"};
        QTest::newRow("no config") << "noconfig" << QStringList{"config.json"};
        QTest::newRow("no weights") << "noweights" << QStringList{"model.safetensors"};
        QTest::newRow("not BERT") << "roberta" << QStringList{"config.json", "roberta", "not supported"};
        QTest::newRow("heads do not divide") << "divide" << QStringList{"config.json", "not divisible"};
        QTest::newRow("config not JSON") << "badjson" << QStringList{"config.json", "not valid JSON"};
    }

    void malformedFoldersAreRefused()
    {
        QFETCH(QString, problem);
        QFETCH(QStringList, fragments);
        nlohmann::json config = kConfig;
        std::function<void(std::vector<OwnedTensor>&)> edit;
        if (problem == "missing")
            edit = [](auto& tensors) {
                tensors.erase(std::remove_if(tensors.begin(), tensors.end(),
                                             [](const OwnedTensor& t) { return t.name == "bert.encoder.layer.1.output.dense.weight"; }),
                              tensors.end());
            };
        if (problem == "shape")
            edit = [](auto& tensors) { tensorNamed(tensors, "bert.encoder.layer.0.intermediate.dense.weight") = torch::zeros({13, 8}); };
        if (problem == "inf")
            edit = [](auto& tensors) { tensorNamed(tensors, "bert.encoder.layer.1.attention.self.query.bias")[3] = -INFINITY; };
        if (problem == "nan")
            edit = [](auto& tensors) { tensorNamed(tensors, "bert.pooler.dense.weight")[0][0] = NAN; };
        if (problem == "integer")
            edit = [](auto& tensors) { tensorNamed(tensors, "bert.embeddings.LayerNorm.bias") = torch::zeros({8}, torch::kInt64); };
        if (problem == "labels") config["id2label"] = {{"0", "a"}, {"1", "b"}, {"2", "c"}};
        if (problem == "roberta") config["model_type"] = "roberta";
        if (problem == "divide") config["num_attention_heads"] = 3;
        const fs::path folder = writeFolder(problem, config, edit);
        if (problem == "noconfig") fs::remove(folder / "config.json");
        if (problem == "noweights") fs::remove(folder / "model.safetensors");
        if (problem == "badjson") writeFileAtomically(folder / "config.json", "{\"hidden_size\": 8,");
        expectLoadError(folder, fragments);
    }

    // Inputs that would index past the embeddings: refused before any work, and by the forward
    // itself (LibTorch's own "index out of range in self" is not an ax::Error and names nothing).
    void inputsBeyondTheEmbeddingsAreRefused()
    {
        const fs::path folder = writeFolder("fit", kConfig);
        LoadedModel loaded = loadModelFolder(folder);
        std::vector<std::string> tokens = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
        while (tokens.size() < 50) tokens.push_back("t" + std::to_string(tokens.size()));
        checkInputsFit(loaded, Vocab::fromTokens(tokens, "fit/vocab.txt"), 16);  // 50 tokens, 16 positions: fits
        while (tokens.size() < 60) tokens.push_back("t" + std::to_string(tokens.size()));
        ax::test::expectErrorMentioning([&] { checkInputsFit(loaded, Vocab::fromTokens(tokens, "fit/vocab.txt"), 16); },
                                        "fit/vocab.txt: has 60 tokens but the model's vocab_size is 50");
        tokens.resize(50);
        const QString configFile = QString::fromStdString((folder / "config.json").string());
        ax::test::expectErrorMentioning([&] { checkInputsFit(loaded, Vocab::fromTokens(tokens, "fit/vocab.txt"), 32); },
                                        configFile + ": max_position_embeddings is 16, fewer than the maximum sequence length 32");

        torch::InferenceMode inference;
        ModelInput input;
        input.inputIds = torch::tensor({{2, 55, 3}}, torch::kInt64);
        ax::test::expectErrorMentioning([&] { loaded.model->forward(input); }, "token id 55 is outside the model's vocabulary of 50");
        input.inputIds = torch::tensor({{2, 7, 3}}, torch::kInt64);
        input.tokenTypeIds = torch::tensor({{0, 2, 1}}, torch::kInt64);
        ax::test::expectErrorMentioning([&] { loaded.model->forward(input); }, "token type 2 is outside the model's 2 token types");
        input.inputIds = torch::ones({1, 17}, torch::kInt64);
        input.tokenTypeIds = torch::Tensor();
        ax::test::expectErrorMentioning([&] { loaded.model->forward(input); }, "17 tokens is longer than the model's 16 positions");
    }
};

AX_TEST_MAIN(TestModelFolder)
#include "test_model_folder.moc"
