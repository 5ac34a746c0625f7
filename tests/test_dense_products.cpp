// The layers' dense projections (model/dense_products.h): the oneDNN path taken at inference gives
// LibTorch's linear (and activation) for the shapes the layers hand it, sliced ones included, in
// float32 and bfloat16; it declines training, int8-sized types and projections sliced to nothing;
// and an AVX-512 CPU runs it on oneDNN's own kernels.

#include "model/dense_products.h"

#include "model/bert_layer.h"  // applyActivation, LibTorch's activations

#include <torch/torch.h>

#include "test_support.h"

using namespace ax;

namespace {

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

torch::Tensor reference(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias,
                        std::optional<Activation> activation)
{
    const torch::Tensor product =
        torch::nn::functional::linear(x.to(torch::kFloat64), weight.to(torch::kFloat64), bias.to(torch::kFloat64));
    if (!activation) return product;
    return applyActivation(*activation, product);
}

}  // namespace

class TestDenseProducts : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void inferenceMatchesLibTorch_data()
    {
        QTest::addColumn<int>("batch");
        QTest::addColumn<int>("length");
        QTest::addColumn<int>("in");
        QTest::addColumn<int>("out");
        QTest::addColumn<int>("activation");  // -1: none, else Activation
        QTest::newRow("BERT-Mini query, batch 1") << 1 << 128 << 256 << 256 << -1;
        QTest::newRow("BERT-Mini FFN up, GELU (erf)") << 2 << 64 << 256 << 1024 << int(Activation::GeluErf);
        QTest::newRow("half the FFN groups, GELU (tanh)") << 3 << 17 << 256 << 512 << int(Activation::GeluTanh);
        QTest::newRow("ReLU") << 2 << 9 << 48 << 80 << int(Activation::Relu);
        QTest::newRow("half the heads, output projection") << 2 << 33 << 128 << 256 << -1;
        QTest::newRow("BERT-base FFN down") << 1 << 20 << 3072 << 768 << -1;
        QTest::newRow("one token, one output") << 1 << 1 << 8 << 1 << -1;
    }

    void inferenceMatchesLibTorch()
    {
        QFETCH(int, batch);
        QFETCH(int, length);
        QFETCH(int, in);
        QFETCH(int, out);
        QFETCH(int, activation);
        torch::manual_seed(batch * 1000 + in + out);
        const torch::Tensor x = torch::randn({batch, length, in});
        const torch::Tensor weight = torch::randn({out, in}) / std::sqrt(double(in));
        const torch::Tensor bias = torch::randn({out});
        const std::optional<Activation> fused =
            activation < 0 ? std::nullopt : std::optional<Activation>(static_cast<Activation>(activation));

        torch::InferenceMode inference;
        const std::optional<torch::Tensor> product = denseProduct(x, weight, bias, fused);
        __builtin_cpu_init();
        if (!product) {
            QVERIFY2(!__builtin_cpu_supports("avx512f"), "an AVX-512 CPU must take the oneDNN path");
            QSKIP("oneDNN has only reference kernels for this shape here; the layers use LibTorch");
        }
        QCOMPARE(product->sizes().vec(), (std::vector<int64_t>{batch, length, out}));
        QCOMPARE(product->scalar_type(), torch::kFloat32);
        QVERIFY2(maxDifference(*product, reference(x, weight, bias, fused)) < 1e-4, "result");
    }

    void slicedViewsOfTheInput()
    {
        // The context the attention hands on, and any view of rows with a stride: read in place.
        torch::manual_seed(5);
        const torch::Tensor wide = torch::randn({2, 10, 96});
        const torch::Tensor x = wide.narrow(-1, 16, 64);
        const torch::Tensor weight = torch::randn({32, 64});
        const torch::Tensor bias = torch::randn({32});
        torch::InferenceMode inference;
        const std::optional<torch::Tensor> product = denseProduct(x, weight, bias);
        if (!product) QSKIP("oneDNN does not run this layout here");
        QVERIFY(maxDifference(*product, reference(x, weight, bias, std::nullopt)) < 1e-4);
    }

    void bfloat16StaysCloseToFloat()
    {
        torch::manual_seed(7);
        const torch::Tensor x = torch::randn({2, 16, 64});
        const torch::Tensor weight = torch::randn({128, 64}) / 8.0;
        const torch::Tensor bias = torch::randn({128});
        auto toBf16 = [](const torch::Tensor& t) { return t.to(torch::kBFloat16); };
        torch::InferenceMode inference;
        const std::optional<torch::Tensor> product = denseProduct(toBf16(x), toBf16(weight), toBf16(bias), Activation::GeluErf);
        if (!product) QSKIP("oneDNN has no fast bfloat16 kernel here; the layers use LibTorch");
        QCOMPARE(product->scalar_type(), torch::kBFloat16);
        // bfloat16 keeps 8 bits of mantissa: results of magnitude ~3 round to within 0.05.
        QVERIFY(maxDifference(*product, reference(x, weight, bias, Activation::GeluErf)) < 0.1);
    }

    void declinesWhatItMustNotRun()
    {
        const torch::Tensor x = torch::randn({2, 4, 16});
        const torch::Tensor weight = torch::randn({8, 16});
        const torch::Tensor bias = torch::randn({8});
        // Training: the gradient needs LibTorch's differentiable operators.
        QVERIFY(!denseProduct(x, weight, bias).has_value());
        torch::InferenceMode inference;
        // Every neuron or head sliced away: a [0, in] weight.
        QVERIFY(!denseProduct(x, torch::empty({0, 16}), torch::empty({0})).has_value());
        // A type oneDNN's matmul is not given.
        QVERIFY(!denseProduct(x.to(torch::kFloat64), weight.to(torch::kFloat64), bias.to(torch::kFloat64)).has_value());
        QCOMPARE(denseProductsEngine(torch::kInt64), std::string("LibTorch"));
    }

    void aKeptProductReadsEachCallsTensors()
    {
        // The product for a shape is prepared once per thread and kept (model/onednn_matmul.cpp):
        // every later call with that shape must read and write its own tensors, also views of the
        // same sizes at other strides, and more shapes than it keeps must not disturb the results.
        torch::InferenceMode inference;
        const torch::Tensor weight = torch::randn({24, 32}), bias = torch::randn({24});
        auto check = [&](const torch::Tensor& x, const char* what) {
            const std::optional<torch::Tensor> product = denseProduct(x, weight, bias, Activation::GeluErf);
            if (!product) QSKIP("oneDNN does not run this shape here");
            QVERIFY2(maxDifference(*product, reference(x, weight, bias, Activation::GeluErf)) < 1e-4, what);
        };
        for (int round = 0; round < 3; ++round) check(torch::randn({2, 5, 32}), "same shape, new data");
        check(torch::randn({2, 5, 48}).narrow(-1, 8, 32), "same sizes, other strides");
        for (int64_t rows = 1; rows <= 600; ++rows) denseProduct(torch::randn({1, rows, 32}), weight, bias);
        check(torch::randn({2, 5, 32}), "after more shapes than are kept");
        check(torch::randn({1, 600, 32}), "the last shape, still kept");
    }

    void avx512RunsOnOneDnnKernels()
    {
        const std::string engine = denseProductsEngine(torch::kFloat32);
        QVERIFY2(engine == "LibTorch" || engine.rfind("oneDNN (", 0) == 0, engine.c_str());
        __builtin_cpu_init();
        if (!__builtin_cpu_supports("avx512f")) QSKIP("oneDNN's fast matmul kernels need AVX-512 here; LibTorch runs them");
        QVERIFY2(engine.rfind("oneDNN (", 0) == 0, engine.c_str());
        QVERIFY2(engine.find("ref") == std::string::npos, engine.c_str());
    }
};

AX_TEST_MAIN(TestDenseProducts)
#include "test_dense_products.moc"
