// The AxFormer controls: masked and physically sliced models agree, removed blocks keep their
// LayerNorm, hard attention keeps exactly the top-k probabilities without renormalising, and a
// sliced model with uneven per-layer shapes saves and reloads.

#include "model/model_folder.h"
#include "model/slicing.h"

#include <torch/torch.h>

#include "test_support.h"

#include "common/error.h"

#include <fstream>

using namespace ax;

namespace {

constexpr double kTolerance = 1e-5;

// A small model whose biases and LayerNorm parameters are random too, so that a dropped bias or a
// LayerNorm applied in the wrong place shows.
BertModel randomModel(int layers = 4, int heads = 4, int ffn = 48)
{
    torch::manual_seed(7);
    BertConfig config = BertConfig::standard(120, 32, layers, heads, ffn);
    config.maxPositions = 64;
    ModelHeads modelHeads;
    modelHeads.numLabels = 3;
    modelHeads.questionAnswering = true;
    modelHeads.maskedLm = true;
    BertModel model(config, modelHeads);
    torch::NoGradGuard noGrad;
    for (auto& entry : model->namedWeights()) entry.second.normal_(0.0, 0.3);
    for (auto& entry : model->namedWeights())
        if (entry.first.find("LayerNorm.weight") != std::string::npos) entry.second.add_(1.0);
    model->eval();
    return model;
}

ModelInput paddedBatch()
{
    torch::manual_seed(11);
    ModelInput input;
    input.inputIds = torch::randint(1, 120, {3, 40}, torch::kInt64);
    input.tokenTypeIds = torch::cat({torch::zeros({3, 20}, torch::kInt64), torch::ones({3, 20}, torch::kInt64)}, 1);
    input.attentionMask = torch::ones({3, 40}, torch::kInt64);
    input.attentionMask.index_put_({1, torch::indexing::Slice(25, torch::indexing::None)}, 0);
    input.attentionMask.index_put_({2, torch::indexing::Slice(7, torch::indexing::None)}, 0);
    return input;
}

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

// Outputs at padded positions are computed but meaningless; compare real tokens only.
double maxDifferenceOnRealTokens(const torch::Tensor& a, const torch::Tensor& b, const torch::Tensor& mask)
{
    const torch::Tensor keep = mask.to(torch::kBool);
    return (a.index({keep}) - b.index({keep})).abs().max().item<double>();
}

Approximation mixedApproximation()
{
    Approximation approximation = Approximation::none(4);
    approximation.layers[0].headMask = {1, 0, 1, 0};
    approximation.layers[0].ffnGroupRemoved = {false, true, false, true};
    approximation.layers[0].hardAttentionTopK = 5;
    approximation.layers[1].removeAttention = true;
    approximation.layers[1].ffnGroupRemoved = {true, false, false, false};
    approximation.layers[2].headMask = {0, 0, 0, 0};  // every head gone, the block (and its bias) stays
    approximation.layers[2].removeFfn = true;
    approximation.layers[3].headMask = {0, 1, 1, 1};
    approximation.layers[3].ffnGroupRemoved = {true, true, true, true};
    return approximation;
}

void verifySameOutputs(const BertOutput& expected, const BertOutput& actual, const torch::Tensor& mask)
{
    QVERIFY(maxDifferenceOnRealTokens(expected.lastHidden, actual.lastHidden, mask) < kTolerance);
    QVERIFY(maxDifference(expected.pooled, actual.pooled) < kTolerance);
    QVERIFY(maxDifference(expected.logits, actual.logits) < kTolerance);
    QVERIFY(maxDifferenceOnRealTokens(expected.startLogits, actual.startLogits, mask) < kTolerance);
    QVERIFY(maxDifferenceOnRealTokens(expected.endLogits, actual.endLogits, mask) < kTolerance);
    QVERIFY(maxDifferenceOnRealTokens(expected.maskedLmLogits, actual.maskedLmLogits, mask) < 1e-4);
}

}  // namespace

class TestApproximation : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void maskedAndSlicedAgree()
    {
        BertModel model = randomModel();
        const Approximation approximation = mixedApproximation();
        const ModelInput input = paddedBatch();
        ForwardOptions options;
        options.maskedLm = true;
        torch::InferenceMode inference;
        const BertOutput plain = model->forward(input, nullptr, options);
        const BertOutput masked = model->forward(input, &approximation, options);
        QVERIFY2(maxDifference(plain.logits, masked.logits) > 1e-3, "the approximation should change the outputs");

        BertModel sliced = sliceModel(*model, approximation);
        const BertOutput slicedOutput = sliced->forward(input, nullptr, options);
        verifySameOutputs(masked, slicedOutput, input.attentionMask);
        QVERIFY(sliced->parameterCount() < model->parameterCount());

        const auto& layers = sliced->config().layers;
        QCOMPARE(layers[0].keptHeads, (std::vector<int>{0, 2}));
        QCOMPARE(layers[0].intermediateSize, 24);
        QCOMPARE(layers[0].hardAttentionTopK, 5);
        QVERIFY(!layers[1].hasAttention);
        QCOMPARE(layers[1].intermediateSize, 36);
        QCOMPARE(layers[2].heads(), 0);
        QVERIFY(layers[2].hasAttention);
        QVERIFY(!layers[2].hasFfn);
        QCOMPARE(layers[3].keptHeads, (std::vector<int>{1, 2, 3}));
        QCOMPARE(layers[3].intermediateSize, 0);
    }

    void slicingTwiceComposes()
    {
        // A plan applied to an already sliced model names heads by their position in that model.
        BertModel model = randomModel();
        Approximation first = Approximation::none(4);
        first.layers[1].headMask = {1, 0, 1, 1};
        BertModel once = sliceModel(*model, first);
        Approximation second = Approximation::none(4);
        second.layers[1].headMask = {1, 1, 0};  // original head 3
        BertModel twice = sliceModel(*once, second);
        QCOMPARE(twice->config().layers[1].keptHeads, (std::vector<int>{0, 2}));

        Approximation combined = Approximation::none(4);
        combined.layers[1].headMask = {1, 0, 1, 0};
        torch::InferenceMode inference;
        const ModelInput input = paddedBatch();
        QVERIFY(maxDifference(model->forward(input, &combined).logits, twice->forward(input).logits) < kTolerance);
    }

    void removedBlocksKeepTheirLayerNorm()
    {
        BertModel model = randomModel(1);
        Approximation approximation = Approximation::none(1);
        approximation.layers[0].removeAttention = true;
        approximation.layers[0].removeFfn = true;
        torch::InferenceMode inference;
        const ModelInput input = paddedBatch();
        ForwardOptions options;
        options.hiddenStates = true;
        const BertOutput output = model->forward(input, &approximation, options);

        std::map<std::string, torch::Tensor> weights;
        for (const auto& entry : model->namedWeights()) weights[entry.first] = entry.second;
        const std::string layer = "bert.encoder.layer.0.";
        auto norm = [&](const torch::Tensor& x, const std::string& name) {
            return torch::layer_norm(x, {32}, weights[layer + name + ".weight"], weights[layer + name + ".bias"], 1e-12);
        };
        const torch::Tensor expected = norm(norm(output.hiddenStates[0], "attention.output.LayerNorm"), "output.LayerNorm");
        QVERIFY(maxDifference(expected, output.hiddenStates[1]) < kTolerance);
    }

    void hardAttentionKeepsTopKWithoutRenormalising()
    {
        BertModel model = randomModel();
        Approximation approximation = Approximation::none(4);
        approximation.layers[2].hardAttentionTopK = 3;
        torch::InferenceMode inference;
        ModelInput input = paddedBatch();
        ForwardOptions options;
        options.attentions = options.hiddenStates = true;
        const BertOutput soft = model->forward(input, nullptr, options);
        const BertOutput hard = model->forward(input, &approximation, options);

        // Layers below the hardened one are untouched.
        QVERIFY(maxDifference(soft.hiddenStates[2], hard.hiddenStates[2]) < 1e-7);
        // Recompute layer 2's soft probabilities from the same input, then compare row by row.
        torch::Tensor softProbs;
        const torch::Tensor mask = BertModelImpl::additiveMask(input.attentionMask, hard.hiddenStates[2]);
        model->runLayer(2, hard.hiddenStates[2], mask, nullptr, &softProbs);
        const torch::Tensor hardProbs = hard.attentions[2];
        const torch::Tensor nonZero = (hardProbs > 0).sum(-1);
        QVERIFY(nonZero.max().item<int64_t>() <= 3);
        const auto [topValues, topIndices] = softProbs.topk(3, -1);
        QVERIFY(maxDifference(hardProbs.gather(-1, topIndices), topValues) < 1e-7);
        QVERIFY(maxDifference(hardProbs.sum(-1), topValues.sum(-1)) < 1e-6);
        QVERIFY(hardProbs.sum(-1).min().item<double>() < 0.999);  // not renormalised
        // k at or above the sequence length changes nothing.
        approximation.layers[2].hardAttentionTopK = 40;
        QVERIFY(maxDifference(model->forward(input, &approximation).logits, soft.logits) < 1e-7);
    }

    void slicedModelSavesAndReloads()
    {
        BertModel model = randomModel();
        const Approximation approximation = mixedApproximation();
        BertModel sliced = sliceModel(*model, approximation);
        const auto folder = ax::test::scratchFolder("sliced") / "model";
        saveModelFolder(*sliced, folder);
        QVERIFY(std::filesystem::exists(folder / "config.json"));
        QVERIFY(std::filesystem::exists(folder / "model.safetensors"));

        const auto config = nlohmann::json::parse(std::ifstream(folder / "config.json"));
        QCOMPARE(config["pruned_heads"]["0"].get<std::vector<int>>(), (std::vector<int>{1, 3}));
        QCOMPARE(config["axformer_layers"][1]["attention"].get<bool>(), false);
        QCOMPARE(config["axformer_layers"][0]["hard_attention_k"].get<int>(), 5);

        LoadedModel reloaded = loadModelFolder(folder);
        QCOMPARE(reloaded.model->config().layers, sliced->config().layers);
        QVERIFY(reloaded.ignoredTensors.empty());
        ForwardOptions options;
        options.maskedLm = true;
        torch::InferenceMode inference;
        const ModelInput input = paddedBatch();
        verifySameOutputs(model->forward(input, &approximation, options), reloaded.model->forward(input, nullptr, options),
                          input.attentionMask);
    }

    void impossibleSlicesAreRefused_data()
    {
        QTest::addColumn<int>("caseIndex");
        QTest::addColumn<QString>("expected");
        QTest::newRow("fractional head factor") << 0 << "cannot be sliced";
        QTest::newRow("head mask of the wrong length") << 1 << "head mask has 3 entries";
    }

    void impossibleSlicesAreRefused()
    {
        QFETCH(int, caseIndex);
        QFETCH(QString, expected);
        BertModel model = randomModel();
        Approximation approximation = Approximation::none(4);
        approximation.layers[1].headMask = caseIndex == 0 ? std::vector<float>{1, 0.5f, 1, 1} : std::vector<float>{1, 0, 1};
        try {
            sliceModel(*model, approximation);
            QFAIL("slicing should have failed");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains(expected), error.what());
            QVERIFY2(QString(error.what()).contains("layer 1"), error.what());
        }
    }

    void overlongSequenceIsAnError()
    {
        BertModel model = randomModel();
        ModelInput input;
        input.inputIds = torch::ones({1, 65}, torch::kInt64);
        torch::InferenceMode inference;
        try {
            model->forward(input);
            QFAIL("a sequence longer than the positions should fail");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("64 positions"), error.what());
        }
    }
};

AX_TEST_MAIN(TestApproximation)
#include "test_approximation.moc"
