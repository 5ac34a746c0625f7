// Dynamic int8 quantization (issue 9): per-row int8 weights hold each weight within half a scale,
// an int8 projection and a whole int8 BERT stay close to float, an int8 folder is smaller on disk
// and reloads with the same outputs, a sliced model quantizes, `apply --quantize int8` writes one,
// and a broken int8 checkpoint fails naming the tensor.

#include "io/safetensors.h"
#include "model/int8_linear.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "model/tensor_bridge.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include "small_classifier.h"
#include "test_support.h"

#include "common/error.h"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace ax;
namespace fs = std::filesystem;

namespace {

// Relative error of the logits an int8 BERT may show against float (PyTorch's quantize_dynamic of
// a BERT shows about 1-2%: activations quantized per tensor, weights per row).
constexpr double kRelativeTolerance = 0.05;

}  // namespace

class TestInt8 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void perRowWeightsHoldEachWeightWithinHalfAScale()
    {
        torch::manual_seed(1);
        torch::Tensor weight = torch::randn({32, 48});
        weight[5].zero_();
        const Int8Weight q = quantizePerChannel(weight);
        QCOMPARE(q.values.scalar_type(), torch::kInt8);
        QCOMPARE(q.scales.size(0), int64_t(32));
        QVERIFY(q.values.abs().max().item<int>() <= 127);
        // Each row's largest weight maps to +-127: the row's full int8 range is used.
        QCOMPARE(q.values[0].abs().max().item<int>(), 127);
        QCOMPARE(q.scales[5].item<float>(), 1.0f);  // a zero row
        const torch::Tensor error = (q.dequantized() - weight).abs();
        QVERIFY((error <= q.scales.unsqueeze(1) * 0.5001).all().item<bool>());
    }

    void int8ProjectionIsCloseToFloat()
    {
        torch::manual_seed(2);
        const torch::Tensor weight = torch::randn({96, 64}) * 0.1, bias = torch::randn({96});
        const torch::Tensor input = torch::randn({4, 10, 64});
        const Int8Linear linear(quantizePerChannel(weight), bias);
        torch::InferenceMode inference;
        const torch::Tensor exact = torch::nn::functional::linear(input, weight, bias);
        const torch::Tensor approximate = linear.forward(input);
        QCOMPARE(approximate.sizes(), exact.sizes());
        const double error = test::relativeError(approximate, exact);
        qInfo("int8 projection: relative error %.4f (engine %s)", error, int8EngineName().c_str());
        // Activations get one scale per call: one outlier among the 2,560 inputs coarsens every step.
        QVERIFY(error < kRelativeTolerance);
        QVERIFY(error > 1e-4);  // it really ran in int8
    }

    void int8BertStaysCloseAndReloadsFromASmallerFolder()
    {
        BertModel model = test::smallClassifier();
        const ModelInput input = test::smallClassifierBatch();
        const torch::Tensor exact = test::logitsOf(*model, input);
        const fs::path scratch = ax::test::scratchFolder("int8-bert");
        saveModelFolder(*model, scratch / "float");

        model->quantizeInt8();
        QVERIFY(model->isInt8());
        QCOMPARE(model->int8Weights().size(), size_t(3 * 6));
        const torch::Tensor approximate = test::logitsOf(*model, input);
        const double error = test::relativeError(approximate, exact);
        const double agreement = (approximate.argmax(1) == exact.argmax(1)).to(torch::kFloat).mean().item<double>();
        qInfo("int8 BERT: logits relative error %.4f, argmax agreement %.3f", error, agreement);
        QVERIFY(error < kRelativeTolerance);
        QVERIFY(agreement >= 0.9);

        saveModelFolder(*model, scratch / "int8");
        const SafetensorsReader weights(scratch / "int8" / "model.safetensors");
        const TensorInfo* query = weights.find("bert.encoder.layer.1.attention.self.query.weight");
        QVERIFY(query && query->dtype == DType::I8);
        QVERIFY(weights.find("bert.encoder.layer.1.attention.self.query.weight_scale"));
        QCOMPARE(weights.find("classifier.weight")->dtype, DType::F32);
        const LoadedModel floatFolder = loadModelFolder(scratch / "float");
        LoadedModel reloaded = loadModelFolder(scratch / "int8");
        QVERIFY(reloaded.model->isInt8());
        QVERIFY(reloaded.ignoredTensors.empty());  // the scales are used, not "ignored"
        // The encoder projections are 3 x (4 x 64 x 64 + 2 x 64 x 128) floats; int8 saves 3/4 of their bytes.
        const uint64_t projectionBytes = 3 * (4 * 64 * 64 + 2 * 64 * 128) * 4;
        qInfo("on disk: float %llu bytes, int8 %llu bytes", static_cast<unsigned long long>(floatFolder.bytesOnDisk),
              static_cast<unsigned long long>(reloaded.bytesOnDisk));
        QVERIFY(floatFolder.bytesOnDisk - reloaded.bytesOnDisk > projectionBytes * 7 / 10);
        const torch::Tensor again = test::logitsOf(*reloaded.model, input);
        QVERIFY2(torch::allclose(again, approximate, 1e-4, 1e-5), qPrintable(QString::number(test::relativeError(again, approximate))));
    }

    // A model whose layer lost its FFN and two heads quantizes what is left.
    void slicedModelQuantizes()
    {
        BertModel model = test::smallClassifier();
        Approximation approximation = Approximation::none(3);
        approximation.layers[0].removeFfn = true;
        approximation.layers[2].headMask = {1, 0, 0, 1};
        BertModel sliced = sliceModel(*model, approximation);
        const ModelInput input = test::smallClassifierBatch();
        const torch::Tensor exact = test::logitsOf(*sliced, input);
        sliced->quantizeInt8();
        QCOMPARE(sliced->int8Weights().size(), size_t(3 * 6 - 2));
        const torch::Tensor quantized = test::logitsOf(*sliced, input);
        QVERIFY(test::relativeError(quantized, exact) < kRelativeTolerance);

        // Slicing an int8 model keeps it int8 (the same integers: the same outputs); fine-tuning
        // one makes a float model.
        BertModel slicedAgain = sliceModel(*sliced, Approximation::none(3));
        QVERIFY(slicedAgain->isInt8());
        QCOMPARE(slicedAgain->int8Weights().size(), size_t(3 * 6 - 2));
        QVERIFY(torch::allclose(test::logitsOf(*slicedAgain, input), quantized, 1e-4, 1e-5));
        QVERIFY(!modelForTask(*sliced, taskSpec("mnli"), 1)->isInt8());
    }

    void applyQuantizesThroughTheCli()
    {
        BertModel model = test::smallClassifier();
        const fs::path scratch = ax::test::scratchFolder("int8-cli");
        saveModelFolder(*model, scratch / "model");
        const auto path = [](const fs::path& p) { return QString::fromStdString(p.string()); };
        const ax::test::CliRun run = ax::test::runCli({"apply", "--model", path(scratch / "model"), "--quantize", "int8", "--out",
                                                       path(scratch / "int8"), "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const nlohmann::json summary = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(summary["quantized"], nlohmann::json("int8"));
        QVERIFY(summary["bytes_after"].get<uint64_t>() < summary["bytes_before"].get<uint64_t>());
        QVERIFY(loadModelFolder(scratch / "int8").model->isInt8());
        const ax::test::CliRun nothing = ax::test::runCli({"apply", "--model", path(scratch / "model"), "--out", path(scratch / "x")});
        QCOMPARE(nothing.exitCode, 2);
        QVERIFY2(nothing.err.contains("nothing to apply: give --plan FILE, --quantize int8|bf16, or both"), qPrintable(nothing.err));
        const ax::test::CliRun int4 = ax::test::runCli({"apply", "--model", path(scratch / "model"), "--quantize", "int4", "--out", path(scratch / "x")});
        QCOMPARE(int4.exitCode, 2);
    }

    // An int8 tensor without its scales, or in a model whose config does not say int8, is refused.
    void brokenInt8FoldersAreRefused()
    {
        BertModel model = test::smallClassifier();
        model->quantizeInt8();
        const fs::path scratch = ax::test::scratchFolder("int8-broken");
        saveModelFolder(*model, scratch / "good");
        const Checkpoint checkpoint = Checkpoint::openFolder(scratch / "good");
        const auto rewrite = [&](const fs::path& folder, const std::string& dropped, bool keepFlag) {
            fs::create_directories(folder);
            std::vector<OwnedTensor> tensors;
            for (const std::string& name : checkpoint.names())
                if (name != dropped) tensors.push_back({name, readTensor(checkpoint, name)});
            writeCheckpoint(folder, viewsForWriting(tensors));
            nlohmann::json config = nlohmann::json::parse(std::ifstream(scratch / "good" / "config.json"));
            if (!keepFlag) config.erase(kInt8ConfigField);
            std::ofstream(folder / "config.json") << config.dump();
        };
        const std::string query = "bert.encoder.layer.0.attention.self.query.weight";
        rewrite(scratch / "no-scale", query + "_scale", true);
        ax::test::expectErrorMentioning([&] { loadModelFolder(scratch / "no-scale"); },
                                        QString::fromStdString("tensor \"" + query + "\" holds int8 values but its scales \"" + query +
                                                               "_scale\" are missing"));
        rewrite(scratch / "no-flag", "", false);
        ax::test::expectErrorMentioning([&] { loadModelFolder(scratch / "no-flag"); },
                                        "holds int8 values but config.json does not say the model is quantized (\"axformer_quantization\")");
    }
};

AX_TEST_MAIN(TestInt8)
#include "test_int8.moc"
