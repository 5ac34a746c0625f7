// Models that run in bfloat16 (issue 8): a converted BERT stays close to float32, saves in half
// the bytes and reloads to the same outputs, slicing keeps bfloat16 and fine-tuning gives float32,
// `apply --quantize bf16` writes one that `info` and `eval`-style loading see as bfloat16, and a
// config.json with an unknown or contradictory precision fails naming the file.

#include "io/checkpoint.h"
#include "io/safetensors.h"
#include "model/model_folder.h"
#include "model/slicing.h"
#include "model/tensor_bridge.h"
#include "train/task_model.h"

#include <torch/torch.h>

#include "small_classifier.h"
#include "test_support.h"

#include <nlohmann/json.hpp>

#include <fstream>

using namespace ax;
namespace fs = std::filesystem;

namespace {

// bfloat16 keeps 8 bits of mantissa: about 0.4% per weight; the logits of a small random BERT
// move by 1-2% of their norm.
constexpr double kRelativeTolerance = 0.05;

nlohmann::json configOf(const fs::path& folder)
{
    return nlohmann::json::parse(std::ifstream(folder / "config.json"));
}

QString path(const fs::path& p)
{
    return QString::fromStdString(p.string());
}

}  // namespace

class TestBf16 : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void bf16BertStaysCloseAndReloadsFromAHalfSizeFolder()
    {
        BertModel model = test::smallClassifier();
        const ModelInput input = test::smallClassifierBatch();
        const torch::Tensor exact = test::logitsOf(*model, input);
        const fs::path scratch = ax::test::scratchFolder("bf16-bert");
        saveModelFolder(*model, scratch / "float");

        model->convertToBf16();
        QVERIFY(model->precision() == Precision::BFloat16);
        QCOMPARE(model->namedWeights().front().second.scalar_type(), torch::kBFloat16);
        const torch::Tensor approximate = test::logitsOf(*model, input);
        const double error = test::relativeError(approximate, exact);
        qInfo("bf16 BERT: logits relative error %.4f", error);
        QVERIFY(error < kRelativeTolerance);
        QVERIFY(error > 1e-5);  // it really ran in bfloat16

        saveModelFolder(*model, scratch / "bf16");
        const SafetensorsReader weights(scratch / "bf16" / "model.safetensors");
        QCOMPARE(weights.find("bert.encoder.layer.1.attention.self.query.weight")->dtype, DType::BF16);
        QCOMPARE(weights.find("classifier.weight")->dtype, DType::BF16);
        const nlohmann::json config = configOf(scratch / "bf16");
        QCOMPARE(config[kPrecisionConfigField], nlohmann::json(kBf16ConfigValue));
        QCOMPARE(config["torch_dtype"], nlohmann::json("bfloat16"));

        const LoadedModel floatFolder = loadModelFolder(scratch / "float");
        LoadedModel reloaded = loadModelFolder(scratch / "bf16");
        QVERIFY(reloaded.model->precision() == Precision::BFloat16);
        qInfo("on disk: float32 %llu bytes, bfloat16 %llu bytes", static_cast<unsigned long long>(floatFolder.bytesOnDisk),
              static_cast<unsigned long long>(reloaded.bytesOnDisk));
        QVERIFY(reloaded.bytesOnDisk * 100 < floatFolder.bytesOnDisk * 51 + 4096);  // half, plus the header
        // The same bfloat16 values and the same operations: the same logits, to the bit.
        QVERIFY(torch::equal(test::logitsOf(*reloaded.model, input), approximate));
    }

    // A sliced bfloat16 model runs in bfloat16 too; fine-tuning one gives a float32 model, and each
    // conversion refuses a model already in the other precision.
    void slicingKeepsBf16AndFineTuningGivesFloat32()
    {
        BertModel model = test::smallClassifier();
        model->convertToBf16();
        Approximation approximation = Approximation::none(3);
        approximation.layers[0].removeFfn = true;
        approximation.layers[2].headMask = {1, 0, 0, 1};
        BertModel sliced = sliceModel(*model, approximation);
        QVERIFY(sliced->precision() == Precision::BFloat16);
        for (const auto& [name, weight] : sliced->namedWeights()) QCOMPARE(weight.scalar_type(), torch::kBFloat16);
        const ModelInput input = test::smallClassifierBatch();
        // The masked model and the sliced one compute the same, in bfloat16's rounding.
        torch::Tensor masked;
        {
            torch::InferenceMode inference;
            masked = model->forward(input, &approximation).logits.to(torch::kFloat32);
        }
        QVERIFY2(test::relativeError(test::logitsOf(*sliced, input), masked) < 0.02,
                 qPrintable(QString::number(test::relativeError(test::logitsOf(*sliced, input), masked))));

        const BertModel trained = modelForTask(*sliced, taskSpec("mnli"), 1);
        QVERIFY(trained->precision() == Precision::Float32);
        QCOMPARE(trained->namedWeights().front().second.scalar_type(), torch::kFloat32);
        QCOMPARE(trained->config().extraFields.at("torch_dtype"), nlohmann::json("float32"));

        ax::test::expectErrorMentioning([&] { sliced->quantizeInt8(); }, "a bfloat16 model cannot also be quantized to int8");
        BertModel int8 = test::smallClassifier();
        int8->quantizeInt8();
        ax::test::expectErrorMentioning([&] { int8->convertToBf16(); }, "an int8 model cannot also be converted to bfloat16");
    }

    void applyConvertsThroughTheCli()
    {
        BertModel model = test::smallClassifier();
        const fs::path scratch = ax::test::scratchFolder("bf16-cli");
        saveModelFolder(*model, scratch / "model");
        const ax::test::CliRun run =
            ax::test::runCli({"apply", "--model", path(scratch / "model"), "--quantize", "bf16", "--out", path(scratch / "bf16"), "--json"});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const nlohmann::json summary = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(summary["quantized"], nlohmann::json("bf16"));
        QVERIFY(summary["bytes_after"].get<uint64_t>() * 100 < summary["bytes_before"].get<uint64_t>() * 51 + 4096);
        QVERIFY(loadModelFolder(scratch / "bf16").model->isBf16());

        const ax::test::CliRun info = ax::test::runCli({"info", "--model", path(scratch / "bf16"), "--json"});
        QVERIFY2(info.exitCode == 0, qPrintable(info.err));
        QCOMPARE(nlohmann::json::parse(info.out.toStdString())["precision"], nlohmann::json("bfloat16"));

        const ax::test::CliRun twice =
            ax::test::runCli({"apply", "--model", path(scratch / "bf16"), "--quantize", "int8", "--out", path(scratch / "x")});
        QCOMPARE(twice.exitCode, 1);
        QVERIFY2(twice.err.contains("a bfloat16 model cannot also be quantized to int8"), qPrintable(twice.err));
        QVERIFY(!fs::exists(scratch / "x"));
        const ax::test::CliRun fp16 =
            ax::test::runCli({"apply", "--model", path(scratch / "model"), "--quantize", "fp16", "--out", path(scratch / "x")});
        QCOMPARE(fp16.exitCode, 2);
        QVERIFY2(fp16.err.contains("--quantize takes int8 or bf16, got \"fp16\""), qPrintable(fp16.err));
    }

    // config.json's precision field must hold what this build reads, and not contradict int8.
    void unknownOrContradictoryPrecisionIsRefused()
    {
        BertModel model = test::smallClassifier();
        const fs::path scratch = ax::test::scratchFolder("bf16-broken");
        saveModelFolder(*model, scratch / "model");
        const fs::path configFile = scratch / "model" / "config.json";
        const nlohmann::json good = configOf(scratch / "model");

        nlohmann::json config = good;
        config[kPrecisionConfigField] = "float8";
        ax::test::writeFile(configFile, config.dump());
        ax::test::expectErrorMentioning([&] { loadModelFolder(scratch / "model"); },
                                        path(configFile) + ": \"axformer_precision\" is \"float8\", this build reads \"bfloat16\"");

        config[kPrecisionConfigField] = kBf16ConfigValue;
        config[kInt8ConfigField] = kInt8ConfigValue;
        ax::test::writeFile(configFile, config.dump());
        ax::test::expectErrorMentioning([&] { loadModelFolder(scratch / "model"); }, "a model runs in one precision");

        // A checkpoint merely stored in bfloat16 (as many on the Hub are) loads in float32, as
        // Hugging Face's from_pretrained does by default.
        model->convertToBf16();
        saveModelFolder(*model, scratch / "stored-bf16");
        nlohmann::json stored = configOf(scratch / "stored-bf16");
        stored.erase(kPrecisionConfigField);
        ax::test::writeFile(scratch / "stored-bf16" / "config.json", stored.dump());
        const LoadedModel loaded = loadModelFolder(scratch / "stored-bf16");
        QVERIFY(loaded.model->precision() == Precision::Float32);
        QCOMPARE(loaded.model->namedWeights().front().second.scalar_type(), torch::kFloat32);
    }
};

AX_TEST_MAIN(TestBf16)
#include "test_bf16.moc"
