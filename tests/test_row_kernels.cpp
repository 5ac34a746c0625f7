// The loops that replace LibTorch's small operators at inference in float32: LayerNorm over a
// block of rows (model/row_layer_norm.h) gives LibTorch's LayerNorm, in place too, for widths that
// fill no whole vector and for values far from zero; the embeddings in one pass
// (model/embedding_rows.h) give the operator path's for BERT (token types given or not) and for
// DistilBERT (no token-type table), and ids outside the tables still get their error.

#include "model/row_layer_norm.h"

#include "small_classifier.h"

#include <torch/torch.h>

#include "test_support.h"

using namespace ax;

namespace {

double maxDifference(const torch::Tensor& a, const torch::Tensor& b)
{
    return (a.to(torch::kFloat64) - b.to(torch::kFloat64)).abs().max().item<double>();
}

torch::Tensor layerNormed(const torch::Tensor& rows, const torch::Tensor& weight, const torch::Tensor& bias, float eps)
{
    torch::Tensor out = torch::empty_like(rows);
    layerNormRows(rows.data_ptr<float>(), out.data_ptr<float>(), weight.data_ptr<float>(), bias.data_ptr<float>(),
                  rows.size(0), rows.size(1), eps);
    return out;
}

// The embeddings of `input` through the one-pass loop (inference) and through LibTorch's operators
// (a gradient wanted: the path training takes).
std::pair<torch::Tensor, torch::Tensor> bothEmbeddings(BertModelImpl& model, const ModelInput& input)
{
    torch::Tensor operators = model.embed(input.inputIds, input.tokenTypeIds).detach();
    torch::InferenceMode inference;
    return {model.embed(input.inputIds, input.tokenTypeIds), operators};
}

}  // namespace

class TestRowKernels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void layerNormMatchesLibTorch_data()
    {
        QTest::addColumn<int>("width");
        QTest::addColumn<double>("offset");
        QTest::addColumn<double>("tolerance");
        QTest::newRow("BERT-Mini width") << 256 << 0.0 << 1e-5;
        QTest::newRow("BERT-base width") << 768 << 0.0 << 1e-5;
        QTest::newRow("no whole vector") << 7 << 0.0 << 1e-5;
        QTest::newRow("a vector and a tail") << 37 << 0.0 << 1e-5;
        // Values around 1000 with unit spread: one pass of sums and squares would lose the
        // variance to rounding (about 1e6 against 1); float32's own rounding of the inputs allows 1e-3.
        QTest::newRow("far from zero") << 256 << 1000.0 << 2e-3;
    }

    void layerNormMatchesLibTorch()
    {
        QFETCH(int, width);
        QFETCH(double, offset);
        QFETCH(double, tolerance);
        torch::manual_seed(width);
        const torch::Tensor rows = torch::randn({5, width}) * 2.0 + offset;
        const torch::Tensor weight = torch::randn({width}), bias = torch::randn({width});
        const torch::Tensor expected = torch::layer_norm(rows.to(torch::kFloat64), {width}, weight.to(torch::kFloat64),
                                                         bias.to(torch::kFloat64), 1e-12);
        QVERIFY2(maxDifference(layerNormed(rows, weight, bias, 1e-12f), expected) < tolerance, "against float64");
    }

    void layerNormInPlace()
    {
        torch::manual_seed(1);
        const torch::Tensor rows = torch::randn({4, 64});
        const torch::Tensor weight = torch::randn({64}), bias = torch::randn({64});
        const torch::Tensor expected = layerNormed(rows, weight, bias, 1e-5f);
        torch::Tensor inPlace = rows.clone();
        layerNormRows(inPlace.data_ptr<float>(), inPlace.data_ptr<float>(), weight.data_ptr<float>(), bias.data_ptr<float>(), 4, 64, 1e-5f);
        QVERIFY(torch::equal(inPlace, expected));
    }

    void layerNormUsesEps()
    {
        // Equal values: no spread, so only eps stands between the deviation (0) and a division by 0.
        const torch::Tensor rows = torch::full({1, 16}, 3.0f);
        const torch::Tensor weight = torch::ones({16}), bias = torch::full({16}, 0.5f);
        const torch::Tensor out = layerNormed(rows, weight, bias, 1e-12f);
        QVERIFY(torch::isfinite(out).all().item<bool>());
        QVERIFY(maxDifference(out, bias.view({1, 16})) < 1e-6);
    }

    void embeddingsMatchTheOperatorPath_data()
    {
        QTest::addColumn<QString>("family");
        QTest::addColumn<bool>("withTypes");
        QTest::newRow("BERT, token types given") << "bert" << true;
        QTest::newRow("BERT, no token types given") << "bert" << false;
        QTest::newRow("DistilBERT, no token-type table") << "distilbert" << false;
    }

    void embeddingsMatchTheOperatorPath()
    {
        QFETCH(QString, family);
        QFETCH(bool, withTypes);
        torch::manual_seed(2);
        BertConfig config = BertConfig::standard(120, 64, 1, 4, 128);
        config.maxPositions = 64;
        if (family == "distilbert") {
            config.modelType = "distilbert";
            config.typeVocabSize = 0;
        }
        BertModel model(config, ModelHeads{});
        model->initialiseWeights(5, 0.5);
        model->eval();
        ModelInput input = test::smallClassifierBatch();
        if (withTypes) input.tokenTypeIds = (torch::arange(24).view({1, 24}) >= 12).to(torch::kInt64).expand({16, 24}).contiguous();
        const auto [onePass, operators] = bothEmbeddings(*model, input);
        QCOMPARE(onePass.sizes().vec(), operators.sizes().vec());
        QVERIFY2(maxDifference(onePass, operators) < 1e-5, "one pass against LibTorch's operators");
        // Different types must give different rows: the table is read, not skipped.
        if (withTypes) QVERIFY(maxDifference(onePass, bothEmbeddings(*model, test::smallClassifierBatch()).first) > 1e-3);
    }

    void idsOutsideTheTablesStillFail()
    {
        BertModel model = test::smallClassifier();
        ModelInput input = test::smallClassifierBatch();
        torch::InferenceMode inference;
        input.inputIds.index_put_({0, 5}, 130);
        test::expectErrorMentioning([&] { model->embed(input.inputIds, input.tokenTypeIds); }, "token id 130 is outside");
        input = test::smallClassifierBatch();
        input.tokenTypeIds = torch::full({16, 24}, 2, torch::kInt64);
        test::expectErrorMentioning([&] { model->embed(input.inputIds, input.tokenTypeIds); }, "token type 2 is outside");
    }
};

AX_TEST_MAIN(TestRowKernels)
#include "test_row_kernels.moc"
