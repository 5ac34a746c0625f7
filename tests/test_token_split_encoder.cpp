// The encoder with its tokens shared out over the threads (model/token_split_encoder.h) against
// the usual layer-by-layer path: the same last hidden states to float rounding for one sequence
// and for batches whose thread blocks span two sequences, with padding, with an odd row count or
// more threads than rows per sequence, and on a sliced model (heads, FFN groups and whole blocks
// gone, hard attention in a layer); a forward at inference, small or large, takes it and keeps its
// results; training, one thread, any approximation passed to the forward and int8 keep the usual
// path, the approximation's to the bit; an error inside the team comes out as an exception, with
// every thread back.

#include "model/inference_threads.h"
#include "model/slicing.h"
#include "model/token_split_encoder.h"

#include "small_classifier.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "test_support.h"

using namespace ax;

namespace {

constexpr int kThreads = 2;

ModelInput randomInput(int64_t batch, int64_t length, int64_t paddedFrom)
{
    torch::manual_seed(batch * 100 + length);
    ModelInput input;
    input.inputIds = torch::randint(1, 120, {batch, length}, torch::kInt64);
    input.attentionMask = torch::ones({batch, length}, torch::kInt64);
    if (paddedFrom > 0) input.attentionMask.index_put_({batch - 1, torch::indexing::Slice(paddedFrom, torch::indexing::None)}, 0);
    return input;
}

std::vector<EncoderLayerWeights> splitLayers(BertModelImpl& model)
{
    std::vector<EncoderLayerWeights> layers;
    for (size_t i = 0; i < model.layerCount(); ++i) {
        std::optional<EncoderLayerWeights> layer = model.encoderLayer(i).tokenSplitWeights();
        if (!layer) throw std::runtime_error("layer " + std::to_string(i) + " cannot run split over tokens");
        layers.push_back(*layer);
    }
    return layers;
}

// The usual path's and the split path's last hidden states for one input, at inference.
std::pair<torch::Tensor, torch::Tensor> bothPaths(BertModelImpl& model, const ModelInput& input, int threads)
{
    torch::InferenceMode inference;
    const torch::Tensor embedded = model.embed(input.inputIds, input.tokenTypeIds);
    const torch::Tensor mask = BertModelImpl::additiveMask(input.attentionMask, embedded);
    torch::Tensor usual = embedded;
    for (size_t i = 0; i < model.layerCount(); ++i) usual = model.runLayer(i, usual, mask, nullptr);
    return {usual, encoderSplitOverTokens(embedded, mask, splitLayers(model), threads)};
}

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a - b).abs().max().item<double>();
}

// Heads 1 and 3 and the first FFN group of layer 0 gone, layer 1's attention block, layer 2's FFN;
// layer 0 keeps only each query's top 3 attention probabilities.
BertModel slicedClassifier()
{
    BertModel model = test::smallClassifier();
    Approximation approximation = Approximation::none(3);
    approximation.layers[0].headMask = {1, 0, 1, 0};
    approximation.layers[0].ffnGroupRemoved = {true, false, false, false};
    approximation.layers[0].hardAttentionTopK = 3;
    approximation.layers[1].removeAttention = true;
    approximation.layers[2].removeFfn = true;
    BertModel sliced = sliceModel(*model, approximation);
    sliced->eval();
    return sliced;
}

}  // namespace

class TestTokenSplitEncoder : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { at::set_num_threads(kThreads); }

    void agreesWithTheUsualPath_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("paddedFrom");  // the last sequence's padding starts there; 0: none
        QTest::addColumn<int>("threads");
        QTest::newRow("one sequence, odd rows") << 1 << 7 << 0 << 2;
        QTest::newRow("one sequence, three threads") << 1 << 7 << 0 << 3;
        QTest::newRow("blocks span two sequences") << 5 << 9 << 0 << 2;
        QTest::newRow("blocks span, three threads, padding") << 5 << 9 << 4 << 3;
        QTest::newRow("a thread per row") << 1 << 2 << 0 << 2;
        QTest::newRow("padded batch") << 4 << 24 << 10 << 2;
    }

    void agreesWithTheUsualPath()
    {
        QFETCH(int, batch);
        QFETCH(int, length);
        QFETCH(int, paddedFrom);
        QFETCH(int, threads);
        const ModelInput input = randomInput(batch, length, paddedFrom);
        for (BertModel model : {test::smallClassifier(), slicedClassifier()}) {
            const auto [usual, split] = bothPaths(*model, input, threads);
            QCOMPARE(split.sizes(), usual.sizes());
            QVERIFY2(maxDifference(split, usual) < 2e-5, qPrintable(QString::number(maxDifference(split, usual))));
        }
    }

    void inferenceForwardTakesItAndKeepsResults_data()
    {
        QTest::addColumn<int>("batch");
        QTest::newRow("small: other operators on the calling thread") << 3;
        QTest::newRow("large: beyond that scope's threshold") << 96;  // 96 × 11 × 64 = 67 584 elements
    }

    void inferenceForwardTakesItAndKeepsResults()
    {
        QFETCH(int, batch);
        BertModel model = slicedClassifier();
        const ModelInput input = randomInput(batch, 11, 6);
        {
            const torch::Tensor withGradient = model->embed(input.inputIds, input.tokenTypeIds);
            QCOMPARE(tokenSplitThreads(withGradient), 1);  // training's forward stays layer by layer
        }
        torch::InferenceMode inference;
        const torch::Tensor hidden = model->embed(input.inputIds, input.tokenTypeIds);
        QCOMPARE(tokenSplitThreads(hidden), kThreads);
        {
            const SmallOperatorsOnCallingThread scope(hidden.numel());
            QCOMPARE(tokenSplitThreads(hidden), kThreads);
        }
        at::set_num_threads(1);
        QCOMPARE(tokenSplitThreads(hidden), 1);
        at::set_num_threads(kThreads);
        // Asking for every layer's hidden states keeps the layer-by-layer path.
        ForwardOptions keepLayers;
        keepLayers.hiddenStates = true;
        const BertOutput usual = model->forward(input, nullptr, keepLayers);
        const BertOutput split = model->forward(input);
        QVERIFY(maxDifference(split.lastHidden, usual.lastHidden) < 2e-5);
        QVERIFY(maxDifference(split.logits, usual.logits) < 2e-5);
        QCOMPARE(at::get_num_threads(), kThreads);
    }

    void keepsTheUsualPathWhereItCannotSplit()
    {
        BertModel model = test::smallClassifier();
        BertLayerImpl& layer = model->encoderLayer(0);
        QVERIFY(layer.tokenSplitWeights().has_value());
        model->train();
        QVERIFY(!layer.tokenSplitWeights().has_value());
        // A sliced layer's own hard attention runs split (agreesWithTheUsualPath checks its results).
        QCOMPARE(slicedClassifier()->encoderLayer(0).tokenSplitWeights()->hardAttentionTopK, 3);

        BertModel int8 = test::smallClassifier();
        int8->quantizeInt8();
        QVERIFY(!int8->encoderLayer(0).tokenSplitWeights().has_value());
    }

    // The search compares approximations' losses between full passes and its layer cache: with
    // any approximation given, masks, hard attention or none at all, a forward is the
    // layer-by-layer one to the bit.
    void anApproximationKeepsTheLayerByLayerPath()
    {
        BertModel model = test::smallClassifier();
        const ModelInput input = randomInput(3, 11, 6);
        torch::InferenceMode inference;
        ForwardOptions keepLayers;
        keepLayers.hiddenStates = true;
        Approximation removeHeads = Approximation::none(3);
        removeHeads.layers[0].headMask = {1, 0, 1, 1};
        Approximation harden = Approximation::none(3);
        harden.layers[1].hardAttentionTopK = 3;
        for (const Approximation& approximation : {Approximation::none(3), removeHeads, harden}) {
            const torch::Tensor usual = model->forward(input, &approximation, keepLayers).lastHidden;
            QVERIFY(torch::equal(model->forward(input, &approximation).lastHidden, usual));
        }
        // Without one, the split path runs, equal only to float rounding.
        const torch::Tensor layerByLayer = model->forward(input, nullptr, keepLayers).lastHidden;
        QVERIFY(maxDifference(model->forward(input).lastHidden, layerByLayer) < 2e-5);
    }

    void anErrorInTheTeamComesOutAsAnException()
    {
        BertModel model = test::smallClassifier();
        const ModelInput input = randomInput(2, 8, 0);
        torch::InferenceMode inference;
        const torch::Tensor hidden = model->embed(input.inputIds, input.tokenTypeIds);
        const torch::Tensor mask = BertModelImpl::additiveMask(input.attentionMask, hidden);
        std::vector<EncoderLayerWeights> layers = splitLayers(*model);
        // Layer 1's FFN output takes 5 neurons where the FFN gives 128: every thread fails there,
        // after the barriers of layers 0 and 1; layer 2's barrier must still be met.
        layers[1].output.weight = torch::zeros({64, 5});
        QVERIFY_THROWS_EXCEPTION(std::exception, encoderSplitOverTokens(hidden, mask, layers, 2));
        // And the team still runs afterwards.
        QCOMPARE(encoderSplitOverTokens(hidden, mask, splitLayers(*model), 2).sizes(), hidden.sizes());
    }
};

AX_TEST_MAIN(TestTokenSplitEncoder)
#include "test_token_split_encoder.moc"
