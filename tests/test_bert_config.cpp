// config.json: Hugging Face fields and defaults, per-layer shapes after slicing, and a clear error
// naming the file and the field for every impossible value.

#include "common/error.h"
#include "io/bert_config.h"

#include "test_support.h"

#include <fstream>

using namespace ax;
using nlohmann::json;

class TestBertConfig : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsHuggingFaceFields()
    {
        const json source = {{"model_type", "bert"}, {"hidden_size", 256}, {"num_hidden_layers", 4},
                             {"num_attention_heads", 4}, {"intermediate_size", 1024}, {"hidden_act", "gelu_new"},
                             {"layer_norm_eps", 1e-7}, {"id2label", {{"0", "negative"}, {"1", "positive"}}},
                             {"torch_dtype", "float32"}};
        const BertConfig config = BertConfig::fromJson(source, "config.json");
        QCOMPARE(config.headDim(), 64);
        QCOMPARE(config.vocabSize, 30522);  // Hugging Face's default when absent
        QCOMPARE(config.maxPositions, 512);
        QVERIFY(config.activation == Activation::GeluTanh);
        QCOMPARE(config.layerNormEps, 1e-7);
        QCOMPARE(config.id2label.at(1), std::string("positive"));
        QCOMPARE(config.layers.size(), size_t(4));
        QCOMPARE(config.layers[3].keptHeads, (std::vector<int>{0, 1, 2, 3}));
        QCOMPARE(config.layers[3].intermediateSize, 1024);

        const json written = config.toJson();
        QCOMPARE(written["torch_dtype"].get<std::string>(), std::string("float32"));  // unknown fields survive
        QCOMPARE(written["label2id"]["negative"].get<int>(), 0);
        QVERIFY(!written.contains("pruned_heads"));
        QVERIFY(!written.contains("axformer_layers"));
    }

    void perLayerShapesRoundTrip()
    {
        BertConfig config = BertConfig::standard(100, 64, 3, 4, 128);
        config.layers[0].keptHeads = {1, 3};
        config.layers[1].hasAttention = false;
        config.layers[1].keptHeads.clear();
        config.layers[2].intermediateSize = 40;
        config.layers[2].hardAttentionTopK = 30;
        const json written = config.toJson();
        QCOMPARE(written["pruned_heads"]["0"].get<std::vector<int>>(), (std::vector<int>{0, 2}));
        QVERIFY(!written["pruned_heads"].contains("1"));
        const BertConfig reread = BertConfig::fromJson(written, "written");
        QCOMPARE(reread.layers, config.layers);
    }

    void impossibleValuesAreRefused_data()
    {
        QTest::addColumn<QString>("patch");
        QTest::addColumn<QString>("expected");
        QTest::newRow("heads do not divide hidden") << R"({"num_attention_heads": 5})" << "not divisible";
        QTest::newRow("hidden size as text") << R"({"hidden_size": "256"})" << "\"hidden_size\" must be an integer";
        QTest::newRow("negative layers") << R"({"num_hidden_layers": -1})" << "num_hidden_layers";
        QTest::newRow("unknown activation") << R"({"hidden_act": "swish"})" << "\"swish\"";
        QTest::newRow("zero eps") << R"({"layer_norm_eps": 0})" << "layer_norm_eps";
        QTest::newRow("unsupported architecture") << R"({"model_type": "roberta"})" << "roberta";
        QTest::newRow("label ids with a gap") << R"({"id2label": {"0": "a", "2": "b"}})" << "without gaps";
        QTest::newRow("label id not a number") << R"({"id2label": {"x": "a"}})" << "\"x\"";
        QTest::newRow("pruned head out of range") << R"({"pruned_heads": {"0": [7]}})" << "head index";
        QTest::newRow("pruned layer out of range") << R"({"pruned_heads": {"9": [0]}})" << "layer 9";
        QTest::newRow("per-layer list too short") << R"({"axformer_layers": [{}]})" << "one entry per layer";
        QTest::newRow("negative FFN width") << R"({"axformer_layers": [{"intermediate_size": -1}, {}]})" << "intermediate_size";
        QTest::newRow("pad token outside vocab") << R"({"pad_token_id": 100})" << "pad_token_id";
        QTest::newRow("dropout of one") << R"({"hidden_dropout_prob": 1.0})" << "hidden_dropout_prob";
    }

    void impossibleValuesAreRefused()
    {
        QFETCH(QString, patch);
        QFETCH(QString, expected);
        json source = {{"vocab_size", 100}, {"hidden_size", 64}, {"num_hidden_layers", 2}, {"num_attention_heads", 4},
                       {"intermediate_size", 128}};
        source.update(json::parse(patch.toStdString()));
        try {
            BertConfig::fromJson(source, "/models/x/config.json");
            QFAIL("the config should have been refused");
        } catch (const Error& error) {
            const QString message = error.what();
            QVERIFY2(message.contains("/models/x/config.json"), qPrintable(message));
            QVERIFY2(message.contains(expected), qPrintable(message));
        }
    }

    void fileErrorsNameTheFile()
    {
        const auto folder = ax::test::scratchFolder("config");
        try {
            BertConfig::fromFile(folder / "absent.json");
            QFAIL("a missing file should fail");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("absent.json"), error.what());
        }
    }

    // Found by fuzzing (tests/fuzz/fuzz_bert_config): a number too large for a double made the JSON
    // parser throw out_of_range, which escaped as an unexplained exception.
    void numberOverflowIsAnError()
    {
        const auto file = ax::test::scratchFolder("config") / "overflow.json";
        std::ofstream(file) << R"({"hidden_size": 333000000000000000e00000000001329})";
        try {
            BertConfig::fromFile(file);
            QFAIL("an overflowing number should fail");
        } catch (const Error& error) {
            QVERIFY2(QString(error.what()).contains("overflow.json: not valid JSON"), error.what());
        }
    }
};

AX_TEST_MAIN(TestBertConfig)
#include "test_bert_config.moc"
