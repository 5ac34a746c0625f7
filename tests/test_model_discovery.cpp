// Models where users keep them: a Hugging Face hub cache laid out as huggingface_hub writes it
// (snapshot files are symbolic links into blobs/, refs/main names the current revision), the
// cache's location from the environment, and `axformer models` listing it.

#include "io/model_discovery.h"

#include "test_support.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <map>

namespace fs = std::filesystem;

namespace {

// models--ORG--NAME/snapshots/REVISION/FILE -> ../../blobs/HASH, as the hub cache stores files.
void addCachedFile(const fs::path& repo, const std::string& revision, const std::string& file, const std::string& content)
{
    const std::string blob = "blob-" + std::to_string(std::hash<std::string>{}(revision + file));
    ax::test::writeFile(repo / "blobs" / blob, content);
    fs::create_directories(repo / "snapshots" / revision);
    fs::create_symlink(fs::path("..") / ".." / "blobs" / blob, repo / "snapshots" / revision / file);
}

// A cache with: bert-mini (current revision and an older one, safetensors), an old pickle-only
// model, a snapshot whose weights were never downloaded, a folder without config.json, and a dataset.
fs::path writeHubCache()
{
    const fs::path cache = ax::test::scratchFolder("hub") / "hub";
    const fs::path mini = cache / "models--prajjwal1--bert-mini";
    addCachedFile(mini, "aaa111", "config.json", R"({"model_type": "bert", "hidden_size": 256})");
    addCachedFile(mini, "aaa111", "model.safetensors", "weights");
    addCachedFile(mini, "fff999", "config.json", R"({"model_type": "bert"})");
    addCachedFile(mini, "fff999", "model.safetensors", "weights");
    ax::test::writeFile(mini / "refs" / "main", "fff999");
    const fs::path pickle = cache / "models--bert-base-uncased";
    addCachedFile(pickle, "b0b0", "config.json", R"({"model_type": "bert"})");
    addCachedFile(pickle, "b0b0", "pytorch_model.bin", "pickle");
    ax::test::writeFile(pickle / "refs" / "main", "b0b0\n");
    const fs::path partial = cache / "models--org--config-only";
    addCachedFile(partial, "c0c0", "config.json", R"({"architectures": ["BertModel"]})");
    addCachedFile(cache / "models--org--no-config", "d0d0", "model.safetensors", "weights");
    addCachedFile(cache / "datasets--glue", "e0e0", "config.json", "{}");
    return cache;
}

}  // namespace

class TestModelDiscovery : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cacheLocationFollowsTheHubsOrder()
    {
        using Environment = std::map<std::string, std::string>;
        const auto cacheWith = [](const Environment& variables) {
            return ax::huggingFaceHubCache([&variables](const char* name) -> const char* {
                const auto found = variables.find(name);
                return found == variables.end() ? nullptr : found->second.c_str();
            });
        };
        QCOMPARE(cacheWith({{"HOME", "/home/u"}}), fs::path("/home/u/.cache/huggingface/hub"));
        QCOMPARE(cacheWith({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/x"}}), fs::path("/x/huggingface/hub"));
        QCOMPARE(cacheWith({{"HOME", "/home/u"}, {"XDG_CACHE_HOME", "/x"}, {"HF_HOME", "/hf"}}), fs::path("/hf/hub"));
        QCOMPARE(cacheWith({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}}), fs::path("/legacy"));
        QCOMPARE(cacheWith({{"HF_HOME", "/hf"}, {"HUGGINGFACE_HUB_CACHE", "/legacy"}, {"HF_HUB_CACHE", "/hub"}}), fs::path("/hub"));
        QCOMPARE(cacheWith({{"HF_HOME", ""}, {"HOME", "/home/u"}}), fs::path("/home/u/.cache/huggingface/hub"));  // empty = unset
    }

    void findsEverySnapshotWithAConfig()
    {
        const fs::path cache = writeHubCache();
        const std::vector<ax::FoundModel> models = ax::findCachedModels(cache);
        QCOMPARE(models.size(), size_t(4));

        QCOMPARE(models[0].name, std::string("bert-base-uncased"));
        QVERIFY(models[0].current);
        QVERIFY(models[0].problem.find("only pytorch_model.bin") != std::string::npos);

        // The current revision first, then the older one; the folder is the snapshot itself.
        QCOMPARE(models[1].name, std::string("org/config-only"));
        QVERIFY(!models[1].current);  // no refs/main
        QVERIFY(models[1].problem.find("no model weights") != std::string::npos);
        QCOMPARE(models[1].modelType, std::string());

        QCOMPARE(models[2].name, std::string("prajjwal1/bert-mini"));
        QCOMPARE(models[2].revision, std::string("fff999"));
        QVERIFY(models[2].current);
        QVERIFY(models[2].problem.empty());
        QCOMPARE(models[2].modelType, std::string("bert"));
        QCOMPARE(models[2].folder, cache / "models--prajjwal1--bert-mini" / "snapshots" / "fff999");
        QCOMPARE(models[3].revision, std::string("aaa111"));
        QVERIFY(!models[3].current);
    }

    void missingCacheIsEmptyNotAnError()
    {
        QVERIFY(ax::findCachedModels("/nonexistent/hub/cache").empty());
    }

    void cliListsTheCache()
    {
        const fs::path cache = writeHubCache();
        const ax::test::CliRun listed = ax::test::runCli({"models", "--json"}, {}, {"HF_HUB_CACHE=" + QString::fromStdString(cache.string())});
        QVERIFY2(listed.exitCode == 0, qPrintable(listed.err));
        const QJsonObject result = QJsonDocument::fromJson(listed.out.toUtf8()).object();
        QCOMPARE(result["cache"].toString(), QString::fromStdString(cache.string()));
        const QJsonArray models = result["models"].toArray();
        QCOMPARE(models.size(), 4);
        QCOMPARE(models[2].toObject()["name"].toString(), QString("prajjwal1/bert-mini"));
        QVERIFY(models[2].toObject()["loadable"].toBool());
        QVERIFY(!models[0].toObject()["loadable"].toBool());

        const ax::test::CliRun text = ax::test::runCli({"models", "--cache", QString::fromStdString(cache.string())});
        QVERIFY2(text.exitCode == 0, qPrintable(text.err));
        QVERIFY2(text.out.contains("prajjwal1/bert-mini  (bert)  revision fff999, current"), qPrintable(text.out));
        QVERIFY2(text.out.contains("cannot be loaded: only pytorch_model.bin"), qPrintable(text.out));

        const ax::test::CliRun empty = ax::test::runCli({"models", "--cache", "/nonexistent/hub"});
        QCOMPARE(empty.exitCode, 0);
        QVERIFY2(empty.out.contains("No models in the Hugging Face cache /nonexistent/hub"), qPrintable(empty.out));
    }
};

AX_TEST_MAIN(TestModelDiscovery)
#include "test_model_discovery.moc"
