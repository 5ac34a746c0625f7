// The built-in demo: its language keeps its own rules, and the whole pipeline (at a reduced size)
// leaves every stage's artefact, records search decisions, and starts instantly the second time.

#include "demo/demo_pipeline.h"
#include "demo/synthetic_language.h"
#include "search/plan.h"
#include "search/significance.h"

#include <torch/torch.h>

#include "test_support.h"

#include <QElapsedTimer>

#include <map>
#include <set>
#include <sstream>

using namespace ax;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> words(const std::string& text)
{
    std::istringstream in(text);
    std::vector<std::string> result;
    for (std::string word; in >> word;) result.push_back(word);
    return result;
}

// A clause's last word is its adjective; "not" or "never" before it flips it.
struct ClauseReading {
    std::string adjective;
    bool negated = false;
};
ClauseReading readClause(const std::vector<std::string>& clause)
{
    ClauseReading reading;
    reading.adjective = clause.back();
    for (const std::string& word : clause) reading.negated |= word == "not" || word == "never";
    return reading;
}

}  // namespace

class TestDemo : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void languageIsDeterministicAndInItsVocabulary()
    {
        SyntheticLanguage a(3), b(3), c(4);
        const std::vector<std::string> vocabulary = a.vocabulary();
        const std::set<std::string> known(vocabulary.begin(), vocabulary.end());
        QCOMPARE(known.size(), vocabulary.size());
        QVERIFY(vocabulary.size() > 200);
        QCOMPARE(vocabulary.front(), std::string("[PAD]"));
        bool differs = false;
        for (int i = 0; i < 200; ++i) {
            const LabelledSentence x = a.review(), y = b.review(), z = c.review();
            QCOMPARE(x.text, y.text);
            QCOMPARE(x.label, y.label);
            differs |= x.text != z.text;
            QCOMPARE(a.sentence(), b.sentence());
            for (const std::string& word : words(x.text + " " + c.sentence()))
                QVERIFY2(known.count(word), word.c_str());
        }
        QVERIFY(differs);
    }

    void labelsFollowNegationAndContrast()
    {
        SyntheticLanguage language(11);
        std::vector<LabelledSentence> reviews;
        for (int i = 0; i < 4000; ++i) reviews.push_back(language.review());
        // Learn each adjective's polarity from single-clause reviews, then check every review.
        std::map<std::string, int> polarity;
        int positives = 0;
        for (const LabelledSentence& review : reviews) {
            positives += review.label;
            std::vector<std::string> w = words(review.text);
            QCOMPARE(w.back(), std::string("."));
            w.pop_back();
            const bool compound = std::count(w.begin(), w.end(), "but") + std::count(w.begin(), w.end(), "and") +
                                      std::count(w.begin(), w.end(), "although") > 0;
            if (compound) continue;
            const ClauseReading clause = readClause(w);
            polarity[clause.adjective] = review.label ^ int(clause.negated);
        }
        QVERIFY(positives > 1600 && positives < 2400);
        int contrasts = 0;
        for (const LabelledSentence& review : reviews) {
            std::vector<std::string> w = words(review.text);
            w.pop_back();
            auto split = std::find(w.begin(), w.end(), "but");
            if (w.front() == "although") split = std::find(w.begin(), w.end(), ",");
            if (split == w.end()) continue;
            const ClauseReading first = readClause({w.begin(), split});
            const ClauseReading second = readClause({split + 1, w.end()});
            if (!polarity.count(first.adjective) || !polarity.count(second.adjective)) continue;
            ++contrasts;
            // Only the second clause counts, and the two clauses disagree.
            QCOMPARE(review.label, polarity[second.adjective] ^ int(second.negated));
            QVERIFY((polarity[first.adjective] ^ int(first.negated)) != review.label);
        }
        QVERIFY(contrasts > 500);
    }

    void demoRunsEveryStageThenStartsFromItsCache()
    {
        DemoSettings settings;
        settings.folder = ax::test::scratchFolder("demo");
        settings.scale = 0.05;
        settings.hiddenSize = 32;
        settings.intermediateSize = 64;
        const DemoResult first = runDemo(settings);
        QCOMPARE(first.stagesRun, (std::vector<std::string>{"language", "pretrain", "fine-tune", "search"}));
        for (const fs::path& file : {first.language / "corpus.txt", first.language / "train.tsv", first.pretrained / "config.json",
                                     first.finetuned / "model.safetensors", first.search / "plan.json",
                                     first.search / "pareto.json", first.search / "report.md", first.search / "significance.json",
                                     settings.folder / "demo.json"})
            QVERIFY2(fs::exists(file), file.c_str());
        QVERIFY(first.pretrain && first.pretrain->heldOutLoss < first.pretrain->initialHeldOutLoss);
        QVERIFY(first.fineTune && !first.fineTune->epochs.empty());
        const Plan plan = Plan::fromFile(first.search / "plan.json");
        QVERIFY(plan.decisions.size() > 10);
        QVERIFY(plan.baseline && plan.approximated && plan.approximated->latencyMs);
        const Significance significance = Significance::fromFile(first.search / "significance.json");
        QCOMPARE(significance.layers, settings.layers);

        QElapsedTimer timer;
        timer.start();
        const DemoResult second = runDemo(settings);
        QVERIFY(second.stagesRun.empty());
        QVERIFY(timer.elapsed() < 2000);

        const auto run = ax::test::runCli({"demo", "--out", QString::fromStdString(settings.folder.string()), "--json"});
        QCOMPARE(run.exitCode, 0);
        const auto summary = nlohmann::json::parse(run.out.toStdString());
        QCOMPARE(summary["stages_run"].size(), size_t(0));
        QCOMPARE(summary["decisions"].get<size_t>(), plan.decisions.size());
        QVERIFY(summary["speedup"].get<double>() > 0);
    }
};

AX_TEST_MAIN(TestDemo)
#include "test_demo.moc"
