// BERT-family checkpoints beyond BERT (issue 9). DistilBERT: Hugging Face's DistilBertConfig
// field names are read and written back; a checkpoint in DistilBERT's tensor layout computes what a
// reference forward, written here step by step from Hugging Face's modeling_distilbert.py, computes
// from the same tensors (no token types, ReLU pre-classifier); it saves back in that layout,
// sliced, quantized or fine-tuned; and its errors name DistilBERT's tensors. ELECTRA
// discriminators: BERT's encoder under ELECTRA's names, with its GELU classification head.

#include "common/error.h"
#include "data/task.h"
#include "io/bert_config.h"
#include "io/checkpoint.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "model/tensor_bridge.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include "test_support.h"

#include <nlohmann/json.hpp>

#include <cmath>
#include <fstream>
#include <map>
#include <set>

using namespace ax;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// The config.json of distilbert-base-uncased-finetuned-sst-2-english, as the Hub serves it.
const char* kHubConfig = R"({
  "activation": "gelu", "architectures": ["DistilBertForSequenceClassification"], "attention_dropout": 0.1,
  "dim": 768, "dropout": 0.1, "finetuning_task": "sst-2", "hidden_dim": 3072,
  "id2label": {"0": "NEGATIVE", "1": "POSITIVE"}, "initializer_range": 0.02,
  "label2id": {"NEGATIVE": 0, "POSITIVE": 1}, "max_position_embeddings": 512, "model_type": "distilbert",
  "n_heads": 12, "n_layers": 6, "output_past": true, "pad_token_id": 0, "qa_dropout": 0.1,
  "seq_classif_dropout": 0.2, "sinusoidal_pos_embds": false, "tie_weights_": true, "vocab_size": 30522})";

constexpr int kVocab = 40, kDim = 16, kLayers = 2, kHeads = 4, kFfn = 32, kPositions = 20, kLabels = 3;

json tinyConfig()
{
    return {{"model_type", "distilbert"}, {"vocab_size", kVocab}, {"dim", kDim}, {"n_layers", kLayers},
            {"n_heads", kHeads}, {"hidden_dim", kFfn}, {"max_position_embeddings", kPositions},
            {"activation", "gelu"}, {"dropout", 0.1}, {"attention_dropout", 0.1}, {"seq_classif_dropout", 0.2},
            {"architectures", {"DistilBertForSequenceClassification"}},
            {"id2label", {{"0", "a"}, {"1", "b"}, {"2", "c"}}}};
}

// Every tensor of DistilBertForSequenceClassification, under Hugging Face's names, random.
std::map<std::string, torch::Tensor> tinyWeights()
{
    torch::manual_seed(21);
    std::map<std::string, torch::Tensor> weights;
    auto linear = [&](const std::string& name, int64_t out, int64_t in) {
        weights[name + ".weight"] = torch::randn({out, in}) * 0.3;
        weights[name + ".bias"] = torch::randn({out}) * 0.1;
    };
    auto norm = [&](const std::string& name) {
        weights[name + ".weight"] = 1.0 + torch::randn({kDim}) * 0.1;
        weights[name + ".bias"] = torch::randn({kDim}) * 0.1;
    };
    weights["distilbert.embeddings.word_embeddings.weight"] = torch::randn({kVocab, kDim});
    weights["distilbert.embeddings.position_embeddings.weight"] = torch::randn({kPositions, kDim}) * 0.5;
    norm("distilbert.embeddings.LayerNorm");
    for (int l = 0; l < kLayers; ++l) {
        const std::string layer = "distilbert.transformer.layer." + std::to_string(l) + ".";
        for (const char* projection : {"q_lin", "k_lin", "v_lin", "out_lin"}) linear(layer + "attention." + projection, kDim, kDim);
        norm(layer + "sa_layer_norm");
        linear(layer + "ffn.lin1", kFfn, kDim);
        linear(layer + "ffn.lin2", kDim, kFfn);
        norm(layer + "output_layer_norm");
    }
    linear("pre_classifier", kDim, kDim);
    linear("classifier", kLabels, kDim);
    return weights;
}

fs::path writeFolder(const QString& name, const std::map<std::string, torch::Tensor>& weights,
                           const json& config = tinyConfig())
{
    const fs::path folder = ax::test::scratchFolder(name);
    std::vector<OwnedTensor> tensors;
    for (const auto& [tensorName, tensor] : weights) tensors.push_back({tensorName, tensor.contiguous()});
    writeCheckpoint(folder, viewsForWriting(tensors));
    ax::test::writeFile(folder / "config.json", config.dump(2));
    return folder;
}

ModelInput pairBatch()
{
    torch::manual_seed(5);
    ModelInput input;
    input.inputIds = torch::randint(1, kVocab, {3, 9}, torch::kInt64);
    input.attentionMask = torch::ones({3, 9}, torch::kInt64);
    input.attentionMask.index_put_({1, torch::indexing::Slice(5, torch::indexing::None)}, 0);
    input.tokenTypeIds = torch::randint(0, 2, {3, 9}, torch::kInt64);
    return input;
}

// Hugging Face's DistilBertForSequenceClassification.forward in eval mode, from the raw tensors:
// Embeddings, then per TransformerBlock MultiHeadSelfAttention (q / sqrt(d), masked_fill with the
// dtype's minimum), sa_layer_norm, FFN (lin1, GELU, lin2), output_layer_norm; the classifier reads
// [CLS] through pre_classifier and ReLU.
struct Reference {
    torch::Tensor lastHidden, logits;
};
Reference referenceForward(const std::map<std::string, torch::Tensor>& w, const ModelInput& input)
{
    auto at = [&](const std::string& name) { return w.at(name); };
    auto linear = [&](const torch::Tensor& x, const std::string& name) {
        return torch::nn::functional::linear(x, at(name + ".weight"), at(name + ".bias"));
    };
    auto layerNorm = [&](const torch::Tensor& x, const std::string& name) {
        return torch::layer_norm(x, {kDim}, at(name + ".weight"), at(name + ".bias"), 1e-12);
    };
    const int64_t batch = input.inputIds.size(0), length = input.inputIds.size(1), headDim = kDim / kHeads;
    torch::Tensor x = torch::embedding(at("distilbert.embeddings.word_embeddings.weight"), input.inputIds) +
                      torch::embedding(at("distilbert.embeddings.position_embeddings.weight"), torch::arange(length)).unsqueeze(0);
    x = layerNorm(x, "distilbert.embeddings.LayerNorm");
    const torch::Tensor masked = (input.attentionMask == 0).view({batch, 1, 1, length});
    for (int l = 0; l < kLayers; ++l) {
        const std::string p = "distilbert.transformer.layer." + std::to_string(l) + ".";
        auto shape = [&](const torch::Tensor& t) { return t.view({batch, -1, kHeads, headDim}).transpose(1, 2); };
        const torch::Tensor q = shape(linear(x, p + "attention.q_lin")) / std::sqrt(double(headDim));
        const torch::Tensor k = shape(linear(x, p + "attention.k_lin"));
        const torch::Tensor v = shape(linear(x, p + "attention.v_lin"));
        torch::Tensor scores = torch::matmul(q, k.transpose(2, 3));
        scores = scores.masked_fill(masked.expand_as(scores), std::numeric_limits<float>::lowest());
        const torch::Tensor context = torch::matmul(torch::softmax(scores, -1), v).transpose(1, 2).reshape({batch, -1, kDim});
        const torch::Tensor attended = layerNorm(linear(context, p + "attention.out_lin") + x, p + "sa_layer_norm");
        const torch::Tensor ffn = linear(torch::gelu(linear(attended, p + "ffn.lin1")), p + "ffn.lin2");
        x = layerNorm(ffn + attended, p + "output_layer_norm");
    }
    const torch::Tensor pooled = torch::relu(linear(x.select(1, 0), "pre_classifier"));
    return {x, linear(pooled, "classifier")};
}

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

torch::Tensor logitsOf(BertModelImpl& model, const ModelInput& input)
{
    torch::NoGradGuard noGrad;
    return model.forward(input).logits;
}

std::set<std::string> tensorNamesIn(const fs::path& folder)
{
    const auto names = Checkpoint::openFolder(folder).names();
    return {names.begin(), names.end()};
}

json configIn(const fs::path& folder)
{
    std::ifstream in(folder / "config.json");
    return json::parse(in);
}

}  // namespace

class TestModelFamilies : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void readsAndWritesDistilBertConfigNames()
    {
        const BertConfig config = BertConfig::fromJson(json::parse(kHubConfig), "hub/config.json");
        QVERIFY(config.isDistilBert());
        QCOMPARE(config.hiddenSize, 768);
        QCOMPARE(config.numLayers, 6);
        QCOMPARE(config.numHeads, 12);
        QCOMPARE(config.intermediateSize, 3072);
        QCOMPARE(config.typeVocabSize, 0);
        QVERIFY(config.activation == Activation::GeluErf);
        QCOMPARE(config.hiddenDropout, 0.1);
        QCOMPARE(config.classifierDropout.value_or(-1), 0.2);
        QCOMPARE(config.id2label.at(1), std::string("POSITIVE"));
        for (const char* kept : {"qa_dropout", "sinusoidal_pos_embds", "tie_weights_", "initializer_range", "output_past"})
            QVERIFY2(config.extraFields.contains(kept), kept);
        for (const char* interpreted : {"dim", "n_layers", "activation", "seq_classif_dropout"})
            QVERIFY2(!config.extraFields.contains(interpreted), interpreted);

        // Written back in DistilBERT's names, with no BERT-only field: Hugging Face reads it again.
        const json written = config.toJson();
        for (const char* field : {"dim", "n_layers", "n_heads", "hidden_dim", "activation", "dropout", "attention_dropout",
                                  "seq_classif_dropout", "qa_dropout", "sinusoidal_pos_embds"})
            QVERIFY2(written.contains(field), field);
        for (const char* field : {"hidden_size", "num_hidden_layers", "type_vocab_size", "layer_norm_eps", "hidden_act"})
            QVERIFY2(!written.contains(field), field);
        const json hub = json::parse(kHubConfig);
        for (const auto& [key, value] : hub.items()) QVERIFY2(written.at(key) == value, key.c_str());
        QVERIFY(BertConfig::fromJson(written, "again").toJson() == written);

        // Errors speak the file's own field names.
        json odd = hub;
        odd["n_heads"] = 5;
        ax::test::expectErrorMentioning([&] { BertConfig::fromJson(odd, "odd/config.json"); },
                                        "odd/config.json: dim 768 is not divisible by n_heads 5");
        odd = hub;
        odd["activation"] = "swish";
        ax::test::expectErrorMentioning([&] { BertConfig::fromJson(odd, "odd/config.json"); }, "field \"activation\" is \"swish\"");
        odd = hub;
        odd["model_type"] = "roberta";
        ax::test::expectErrorMentioning([&] { BertConfig::fromJson(odd, "odd/config.json"); }, "\"distilbert\"");
    }

    // The parity test of issue 9: our model, loaded from DistilBERT's layout, against the
    // reference forward above, on a padded batch that also carries token type ids (which a
    // DistilBERT has no table for: they must not change anything).
    void forwardMatchesTheReferenceOnDistilBertLayout()
    {
        const auto weights = tinyWeights();
        LoadedModel loaded = loadModelFolder(writeFolder("parity", weights));
        QVERIFY(loaded.ignoredTensors.empty());
        QCOMPARE(loaded.model->parameterCount(), int64_t([&] {
                     int64_t count = 0;
                     for (const auto& entry : weights) count += entry.second.numel();
                     return count;
                 }()));
        const ModelInput input = pairBatch();
        const Reference reference = referenceForward(weights, input);
        torch::NoGradGuard noGrad;
        const BertOutput output = loaded.model->forward(input);
        const double hiddenGap = maxDifference(output.lastHidden, reference.lastHidden);
        const double logitGap = maxDifference(output.logits, reference.logits);
        qInfo("largest difference to the reference: hidden %.2e, logits %.2e", hiddenGap, logitGap);
        QVERIFY(hiddenGap < 1e-5);
        QVERIFY(logitGap < 1e-5);
        QVERIFY(reference.logits.abs().max().item<double>() > 0.1);  // not a comparison of zeros
        ModelInput withoutTypes = input;
        withoutTypes.tokenTypeIds = torch::Tensor();
        QCOMPARE(maxDifference(loaded.model->forward(withoutTypes).logits, output.logits), 0.0);
    }

    void savesBackInDistilBertLayout()
    {
        const auto weights = tinyWeights();
        LoadedModel loaded = loadModelFolder(writeFolder("original", weights));
        const ModelInput input = pairBatch();
        const torch::Tensor before = logitsOf(*loaded.model, input);

        const fs::path saved = ax::test::scratchFolder("saved") / "model";
        saveModelFolder(*loaded.model, saved, {});
        std::set<std::string> expected;
        for (const auto& entry : weights) expected.insert(entry.first);
        QVERIFY(tensorNamesIn(saved) == expected);
        QVERIFY(configIn(saved).at("model_type") == "distilbert");
        QVERIFY(configIn(saved).at("dim") == kDim);
        QCOMPARE(maxDifference(logitsOf(*loadModelFolder(saved).model, input), before), 0.0);

        // int8: the scales sit beside DistilBERT's names and the folder reloads quantized.
        loaded.model->quantizeInt8();
        const torch::Tensor int8Logits = logitsOf(*loaded.model, input);
        const fs::path quantized = ax::test::scratchFolder("int8") / "model";
        saveModelFolder(*loaded.model, quantized, {});
        QVERIFY(tensorNamesIn(quantized).count("distilbert.transformer.layer.1.ffn.lin2.weight_scale") == 1);
        LoadedModel reloaded = loadModelFolder(quantized);
        QVERIFY(reloaded.model->isInt8());
        QVERIFY(maxDifference(logitsOf(*reloaded.model, input), int8Logits) < 1e-5);
    }

    // Sliced (a head and an FFN block removed) and fine-tuned models keep the family.
    void slicedAndTaskModelsStayDistilBert()
    {
        LoadedModel loaded = loadModelFolder(writeFolder("slice", tinyWeights()));
        Approximation plan = Approximation::none(kLayers);
        plan.layers[0].headMask = {1, 0, 1, 1};
        plan.layers[1].removeFfn = true;
        const ModelInput input = pairBatch();
        torch::Tensor masked;
        {
            torch::NoGradGuard noGrad;
            masked = loaded.model->forward(input, &plan).logits;
        }
        BertModel sliced = sliceModel(*loaded.model, plan);
        const fs::path folder = ax::test::scratchFolder("sliced") / "model";
        saveModelFolder(*sliced, folder, {});
        const json config = configIn(folder);
        QVERIFY(config.at("pruned_heads") == json::parse(R"({"0": [1]})"));
        QVERIFY(config.contains("n_heads") && !config.contains("num_attention_heads"));
        QVERIFY(tensorNamesIn(folder).count("distilbert.transformer.layer.1.ffn.lin1.weight") == 0);
        QVERIFY(maxDifference(logitsOf(*loadModelFolder(folder).model, input), masked) < 1e-5);

        BertModel classifier = modelForTask(*loaded.model, taskSpec("sst2"), 1, false);
        QCOMPARE(classifier->config().architectures, std::vector<std::string>{"DistilBertForSequenceClassification"});
        QVERIFY(classifier->heads().pooler);
        BertModel reader = modelForTask(*loaded.model, taskSpec("squad"), 1, false);
        QCOMPARE(reader->config().architectures, std::vector<std::string>{"DistilBertForQuestionAnswering"});
        QVERIFY(!reader->heads().pooler);
        const fs::path readerFolder = ax::test::scratchFolder("reader") / "model";
        saveModelFolder(*reader, readerFolder, {});
        const auto names = tensorNamesIn(readerFolder);
        QVERIFY(names.count("qa_outputs.weight") == 1 && names.count("pre_classifier.weight") == 0);
    }

    // A bare DistilBertModel (no "distilbert." prefix) loads; a missing tensor is named as the
    // checkpoint would name it.
    void bareModelsLoadAndMissingTensorsAreNamed()
    {
        std::map<std::string, torch::Tensor> bare;
        for (const auto& [name, tensor] : tinyWeights())
            if (name.rfind("distilbert.", 0) == 0) bare[name.substr(11)] = tensor;
        json config = tinyConfig();
        config.erase("id2label");
        LoadedModel loaded = loadModelFolder(writeFolder("bare", bare, config));
        QVERIFY(!loaded.model->heads().pooler);
        QCOMPARE(loaded.model->heads().numLabels, 0);

        auto missing = tinyWeights();
        missing.erase("distilbert.transformer.layer.1.attention.v_lin.bias");
        const fs::path folder = writeFolder("missing", missing);
        ax::test::expectErrorMentioning([&] { loadModelFolder(folder); },
                                        "tensor \"distilbert.transformer.layer.1.attention.v_lin.bias\" is missing");
        ax::test::expectErrorMentioning([&] { loadModelFolder(writeFolder("empty", {{"x", torch::zeros({2})}})); },
                                        "no DistilBERT weights found (expected a tensor named distilbert.embeddings.word_embeddings.weight)");
    }

    // An ELECTRA discriminator made here from a BERT model's tensors under ELECTRA's names (and a
    // discriminator head it does not use): the encoder gives the BERT model's hidden states, and
    // the head what modeling_electra.py's ElectraClassificationHead computes from them in eval
    // mode, out_proj(gelu(dense(h[:, 0]))). It saves back in ELECTRA's layout.
    void electraDiscriminatorsMatchTheirReference()
    {
        BertConfig bertConfig = BertConfig::standard(kVocab, kDim, kLayers, kHeads, kFfn);
        bertConfig.maxPositions = kPositions;
        ModelHeads heads;
        heads.numLabels = kLabels;
        BertModel bert(bertConfig, heads);
        bert->initialiseWeights(3, 0.3);
        bert->eval();
        const std::vector<std::pair<std::string, std::string>> renames = {
            {"bert.pooler.dense.", "classifier.dense."}, {"classifier.", "classifier.out_proj."},
            {"bert.embeddings.", "electra.embeddings."}, {"bert.encoder.", "electra.encoder."}};
        std::map<std::string, torch::Tensor> electra;
        for (const auto& [name, tensor] : bert->namedWeights())
            for (const auto& [from, to] : renames)
                if (name.rfind(from, 0) == 0) {
                    electra[to + name.substr(from.size())] = tensor.detach().clone();
                    break;
                }
        QCOMPARE(electra.size(), bert->namedWeights().size());
        electra["discriminator_predictions.dense.weight"] = torch::zeros({kDim, kDim});
        json config = {{"model_type", "electra"}, {"vocab_size", kVocab}, {"hidden_size", kDim}, {"embedding_size", kDim},
                       {"num_hidden_layers", kLayers}, {"num_attention_heads", kHeads}, {"intermediate_size", kFfn},
                       {"max_position_embeddings", kPositions}, {"architectures", {"ElectraForSequenceClassification"}},
                       {"id2label", {{"0", "a"}, {"1", "b"}, {"2", "c"}}}};
        LoadedModel loaded = loadModelFolder(writeFolder("electra", electra, config));
        QCOMPARE(loaded.ignoredTensors, std::vector<std::string>{"discriminator_predictions.dense.weight"});

        const ModelInput input = pairBatch();
        torch::NoGradGuard noGrad;
        const BertOutput ours = loaded.model->forward(input);
        const BertOutput encoder = bert->forward(input);
        QCOMPARE(maxDifference(ours.lastHidden, encoder.lastHidden), 0.0);
        auto linear = [&](const torch::Tensor& x, const std::string& name) {
            return torch::nn::functional::linear(x, electra.at(name + ".weight"), electra.at(name + ".bias"));
        };
        const torch::Tensor reference = linear(torch::gelu(linear(encoder.lastHidden.select(1, 0), "classifier.dense")), "classifier.out_proj");
        qInfo("ELECTRA logits against the reference head: %.2e", maxDifference(ours.logits, reference));
        QVERIFY(maxDifference(ours.logits, reference) < 1e-5);
        QVERIFY(maxDifference(ours.logits, encoder.logits) > 1e-3);  // GELU, not BERT's tanh, in the head

        const fs::path saved = ax::test::scratchFolder("electra-saved") / "model";
        saveModelFolder(*loaded.model, saved, {});
        std::set<std::string> expected;
        for (const auto& entry : electra) expected.insert(entry.first);
        expected.erase("discriminator_predictions.dense.weight");
        QVERIFY(tensorNamesIn(saved) == expected);
        QVERIFY(configIn(saved).at("model_type") == "electra" && configIn(saved).at("embedding_size") == kDim);
        QCOMPARE(modelForTask(*loaded.model, taskSpec("squad"), 1, false)->config().architectures,
                 std::vector<std::string>{"ElectraForQuestionAnswering"});

        config["embedding_size"] = 8;
        ax::test::expectErrorMentioning([&] { BertConfig::fromJson(config, "small/config.json"); },
                                        "small/config.json: embedding_size 8 differs from hidden_size 16");
    }
};

AX_TEST_MAIN(TestModelFamilies)
#include "test_model_families.moc"
