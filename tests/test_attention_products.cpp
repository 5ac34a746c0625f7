// Attention's batched products (model/attention_products.h): the oneDNN path taken at inference
// gives LibTorch's results for every layout the layers hand it (heads read in place from the
// projections, padding masks, one token, heads sliced to none), in float32 and bfloat16; training
// keeps LibTorch's differentiable operators; and an AVX-512 CPU runs them on oneDNN's own kernels.

#include "model/attention_products.h"

#include <torch/torch.h>

#include "test_support.h"

using namespace ax;

namespace {

struct Heads {
    torch::Tensor query, key, value, mask;
};

// Per-head views of [B, S, heads*d] projections, laid out as BertLayer makes them, and an additive
// mask that pads the last `padded` tokens of every sequence after the first.
Heads randomHeads(int64_t batch, int64_t heads, int64_t length, int64_t headDim, int64_t padded)
{
    auto split = [&](const torch::Tensor& x) { return x.view({batch, length, heads, headDim}).transpose(1, 2); };
    Heads h;
    h.query = split(torch::randn({batch, length, heads * headDim}));
    h.key = split(torch::randn({batch, length, heads * headDim}));
    h.value = split(torch::randn({batch, length, heads * headDim}));
    h.mask = torch::zeros({batch, 1, 1, length});
    for (int64_t b = 1; b < batch; ++b) h.mask[b].narrow(-1, length - padded, padded).fill_(-10000.0);
    return h;
}

// The products written out with LibTorch's operators, in double.
torch::Tensor referenceScores(const Heads& h, double scale)
{
    return torch::matmul(h.query.to(torch::kFloat64), h.key.to(torch::kFloat64).transpose(-1, -2)) * scale +
           h.mask.to(torch::kFloat64);
}

torch::Tensor referenceContext(const torch::Tensor& probs, const torch::Tensor& value)
{
    const torch::Tensor perHead = torch::matmul(probs.to(torch::kFloat64), value.to(torch::kFloat64));
    return perHead.transpose(1, 2).reshape({value.size(0), value.size(2), value.size(1) * value.size(3)});
}

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

}  // namespace

class TestAttentionProducts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inferenceMatchesLibTorch_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("heads");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("headDim");
        QTest::newRow("BERT-Mini, batch 1") << 1 << 4 << 128 << 64;
        QTest::newRow("padded batch, odd length") << 3 << 2 << 37 << 16;
        QTest::newRow("BERT-base heads") << 2 << 12 << 20 << 64;
        QTest::newRow("one token, one head") << 2 << 1 << 1 << 8;
    }

    void inferenceMatchesLibTorch()
    {
        QFETCH(int, batch);
        QFETCH(int, heads);
        QFETCH(int, length);
        QFETCH(int, headDim);
        torch::manual_seed(batch * 1000 + length);
        const Heads h = randomHeads(batch, heads, length, headDim, length / 3);
        const double scale = 1.0 / std::sqrt(double(headDim));

        torch::InferenceMode inference;
        const torch::Tensor scores = attentionScores(h.query, h.key, h.mask, scale);
        QCOMPARE(scores.sizes().vec(), (std::vector<int64_t>{batch, heads, length, length}));
        // Masked scores sit near -10000, where a float's spacing is 1e-3.
        QVERIFY2(maxDifference(scores, referenceScores(h, scale)) < 2e-3, "scores");
        const torch::Tensor probs = torch::softmax(scores, -1);
        const torch::Tensor context = attentionContext(probs, h.value);
        QCOMPARE(context.sizes().vec(), (std::vector<int64_t>{batch, length, heads * headDim}));
        QVERIFY2(maxDifference(context, referenceContext(probs, h.value)) < 1e-5, "context");
        // Padded keys get no attention: the mask went into the product.
        if (batch > 1 && length >= 3)
            QVERIFY(probs[batch - 1].narrow(-1, length - length / 3, length / 3).max().item<float>() < 1e-6);
    }

    void bfloat16StaysCloseToFloat()
    {
        torch::manual_seed(7);
        const Heads h = randomHeads(2, 4, 64, 32, 10);
        auto toBf16 = [](const torch::Tensor& x) { return x.to(torch::kBFloat16); };
        const double scale = 1.0 / std::sqrt(32.0);
        torch::InferenceMode inference;
        const torch::Tensor scores = attentionScores(toBf16(h.query), toBf16(h.key), toBf16(h.mask), scale);
        QCOMPARE(scores.scalar_type(), torch::kBFloat16);
        const Heads rounded{toBf16(h.query).to(torch::kFloat32), toBf16(h.key).to(torch::kFloat32), {}, h.mask};
        // bfloat16 keeps 8 bits of mantissa: scores of magnitude ~10 round to within 0.1.
        const torch::Tensor unmasked = (scores.to(torch::kFloat64) - h.mask).narrow(0, 0, 1);
        QVERIFY(maxDifference(unmasked, (referenceScores(rounded, scale) - h.mask).narrow(0, 0, 1)) < 0.1);
        const torch::Tensor probs = torch::softmax(scores.to(torch::kFloat32), -1);
        const torch::Tensor context = attentionContext(toBf16(probs), toBf16(h.value));
        QCOMPARE(context.scalar_type(), torch::kBFloat16);
        QVERIFY(maxDifference(context, referenceContext(probs, h.value)) < 0.05);
    }

    void headsSlicedToNoneGiveEmptyResults()
    {
        const Heads h = randomHeads(2, 0, 16, 64, 4);
        torch::InferenceMode inference;
        const torch::Tensor scores = attentionScores(h.query, h.key, h.mask, 0.125);
        QCOMPARE(scores.sizes().vec(), (std::vector<int64_t>{2, 0, 16, 16}));
        const torch::Tensor context = attentionContext(torch::softmax(scores, -1), h.value);
        QCOMPARE(context.sizes().vec(), (std::vector<int64_t>{2, 16, 0}));
    }

    void trainingKeepsGradients()
    {
        torch::manual_seed(3);
        Heads h = randomHeads(2, 2, 12, 8, 3);
        const torch::Tensor query = h.query.detach().requires_grad_(true);
        const torch::Tensor value = h.value.detach().requires_grad_(true);
        const torch::Tensor probs = torch::softmax(attentionScores(query, h.key, h.mask, 0.5), -1);
        attentionContext(probs, value).sum().backward();
        QVERIFY(query.grad().defined() && value.grad().defined());
        // d(sum of context)/d(value) for one key is the attention it gets, summed over queries.
        const torch::Tensor expected = probs.detach().sum(2);  // [B, heads, S]
        QVERIFY(maxDifference(value.grad().sum(-1), expected * value.size(-1)) < 1e-4);
    }

    void avx512RunsOnOneDnnKernels()
    {
        const std::string engine = attentionProductsEngine(torch::kFloat32);
        QVERIFY2(engine == "LibTorch" || engine.rfind("oneDNN (", 0) == 0, engine.c_str());
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f")) QSKIP("oneDNN's fast matmul kernels need AVX-512 here; LibTorch runs them");
        QVERIFY2(engine.rfind("oneDNN (", 0) == 0, engine.c_str());
        QVERIFY2(engine.find("ref") == std::string::npos, engine.c_str());
        QCOMPARE(attentionProductsEngine(torch::kInt64), std::string("LibTorch"));
    }
};

AX_TEST_MAIN(TestAttentionProducts)
#include "test_attention_products.moc"
