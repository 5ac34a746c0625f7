#include "studio/run_data.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "search/plan.h"
#include "search/significance.h"

#include "model_summary_view.h"

#include <nlohmann/json.hpp>

#include <QDir>
#include <QJsonDocument>
#include <QFileInfo>

#include <cmath>

namespace ax::studio {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

widgets::ImportanceGrid gridFrom(const Significance& s, bool heads)
{
    widgets::ImportanceGrid grid;
    grid.columnName = heads ? QStringLiteral("Head") : QStringLiteral("FFN group");
    grid.layers = s.layers;
    grid.columns = heads ? s.heads : s.ffnGroups;
    const std::vector<double>& loss = heads ? s.headLoss : s.ffnGroupLoss;
    const std::vector<double>& metric = heads ? s.headMetric : s.ffnGroupMetric;
    const std::vector<double>& gradient = heads ? s.headGradient : s.ffnGroupGradient;
    bool anyGradient = false;
    for (size_t i = 0; i < loss.size(); ++i) {
        grid.deltaLoss.push_back(loss[i] - s.baselineLoss);
        grid.deltaMetric.push_back(metric[i] - s.baselineMetric);
        grid.gradient.push_back(gradient[i]);
        anyGradient |= !std::isnan(gradient[i]);
    }
    if (!anyGradient) grid.gradient.clear();
    grid.metricToPercent = s.metric == "exact_match" || s.metric == "squad_f1" ? 1 : 100;
    return grid;
}

ElementRef refOf(const Element& element)
{
    return {QString::fromStdString(kindName(element.kind)), element.layer, element.index};
}

QString describeRef(const ElementRef& e)
{
    QString kind = e.kind;
    kind.replace('_', ' ');
    return e.index >= 0 ? QStringLiteral("L%1 %2 %3").arg(e.layer).arg(kind).arg(e.index) : QStringLiteral("L%1 %2").arg(e.layer).arg(kind);
}

void addPoints(RunData& run, const fs::path& file)
{
    json pareto;
    try {
        pareto = json::parse(readWholeFile(file));
        for (const json& point : pareto.at("points")) {
            widgets::ConfigurationPoint p;
            p.id = int(run.points.size());
            p.metric = point.at("val_metric").get<double>();
            p.parameters = point.at("params").get<qint64>();
            if (point.contains("latency_ms") && point["latency_ms"].is_number()) p.latencyMs = point["latency_ms"].get<double>();
            QVector<ElementRef> configuration;
            for (const json& element : point.at("configuration"))
                configuration.push_back({QString::fromStdString(element.at("kind").get<std::string>()), element.at("layer").get<int>(),
                                         element.value("index", -1)});
            p.baseline = configuration.isEmpty() && p.id == 0;
            run.accepted.push_back(point.value("accepted", false));
            p.label = p.baseline ? QStringLiteral("baseline")
                                 : QStringLiteral("#%1: %2 applied, tried %3")
                                       .arg(point.value("sequence", 0))
                                       .arg(configuration.size())
                                       .arg(QString::fromStdString(point.value("candidate", std::string())));
            // A search variant's point (axformer search --variants) says which variant found it;
            // an int8 or bf16 point (--int8, --bf16) is a configuration in that precision, a
            // distilled one (--distill) one fine-tuned again with the model as teacher.
            if (point.contains("variant")) {
                const QString variant = QString::fromStdString(point["variant"].get<std::string>());
                const bool option = variant == QLatin1String("int8") || variant == QLatin1String("bf16") ||
                                    variant == QLatin1String("distilled");
                p.label = !option                ? QStringLiteral("variant %1, %2").arg(variant, p.label)
                          : configuration.isEmpty() ? QStringLiteral("%1: the baseline").arg(variant)
                                                    : QStringLiteral("%1: %2 applied").arg(variant).arg(configuration.size());
            }
            run.points.push_back(p);
            run.configurations.push_back(configuration);
        }
    } catch (const json::exception& error) {
        failIn(file.string(), std::string("malformed: ") + error.what());
    }
}

// Every element the model has, so untried ones can be forced too; tried ones carry the plan's numbers.
void addRows(RunData& run, const Plan& plan, int layers, int heads, int groups)
{
    std::vector<Element> all;
    for (int l = 0; l < layers; ++l) {
        all.push_back({ElementKind::HardAttention, l, -1});
        all.push_back({ElementKind::FfnBlock, l, -1});
        for (int g = 0; g < groups; ++g) all.push_back({ElementKind::FfnGroup, l, g});
        all.push_back({ElementKind::AttentionBlock, l, -1});
        for (int h = 0; h < heads; ++h) all.push_back({ElementKind::Head, l, h});
    }
    for (const Decision& d : plan.decisions)
        if (std::find(all.begin(), all.end(), d.element) == all.end()) all.push_back(d.element);
    for (const Element& element : all) {
        widgets::PlanRow row;
        row.kind = QString::fromStdString(kindName(element.kind));
        row.layer = element.layer;
        row.index = element.index;
        const auto decision = std::find_if(plan.decisions.begin(), plan.decisions.end(),
                                           [&](const Decision& d) { return d.element == element; });
        if (decision != plan.decisions.end()) {
            row.tried = true;
            row.loss = decision->loss;
            row.metric = decision->metric;
            row.applied = decision->applied;
            row.forced = decision->source == "user";
            row.source = QString::fromStdString(decision->source);
        }
        run.rows.push_back(row);
        run.rowElements.push_back(refOf(element));
    }
}

QString summaryOf(const Plan& plan)
{
    if (!plan.baseline || !plan.approximated) return {};
    const Measurement& b = *plan.baseline;
    const Measurement& a = *plan.approximated;
    const QString metric = QString::fromStdString(plan.metric);
    QString text = QStringLiteral("dev %1: %2 → %3   ·   parameters: %4 → %5 (%6× smaller)")
                       .arg(metric)
                       .arg(b.devMetric.value_or(NAN), 0, 'f', 4)
                       .arg(a.devMetric.value_or(NAN), 0, 'f', 4)
                       .arg(widgets::formatCount(b.parameters))
                       .arg(widgets::formatCount(a.parameters))
                       .arg(double(b.parameters) / double(std::max<int64_t>(1, a.parameters)), 0, 'f', 2);
    if (b.latencyMs && a.latencyMs && *a.latencyMs > 0 && *b.latencyMs > 0) {
        const double speedup = *b.latencyMs / *a.latencyMs;
        text += QStringLiteral("   ·   latency: %1 ms → %2 ms (%3)")
                    .arg(*b.latencyMs, 0, 'f', 2)
                    .arg(*a.latencyMs, 0, 'f', 2)
                    .arg(speedup >= 1 ? QStringLiteral("%1× faster").arg(speedup, 0, 'f', 2)
                                      : QStringLiteral("%1× slower").arg(1 / speedup, 0, 'f', 2));
    }
    return text;
}

// demo.json beside the run folder, when the run is the built-in demo's; a damaged record is ignored
// (it only feeds explanations).
std::optional<DemoFacts> demoFacts(const fs::path& runFolder)
{
    fs::path folder = fs::absolute(runFolder).lexically_normal();
    if (!folder.has_filename()) folder = folder.parent_path();  // "run/" names the same folder as "run"
    const fs::path file = folder.parent_path() / "demo.json";
    if (!fs::exists(file)) return std::nullopt;
    try {
        const json record = json::parse(readWholeFile(file));
        if (record.value("format", "") != "axformer-demo") return std::nullopt;
        DemoFacts facts;
        const json& stages = record.at("stages");
        if (stages.contains("pretrain")) {
            const json& p = stages["pretrain"];
            facts.heldOutLossBefore = p.value("initial_held_out_loss", NAN);
            facts.heldOutLossAfter = p.value("held_out_loss", NAN);
            facts.heldOutAccuracy = p.value("held_out_accuracy", NAN);
            facts.pretrainSteps = p.value("steps", 0);
            facts.pretrainSeconds = p.value("seconds", 0.0);
        }
        if (stages.contains("fine-tune")) {
            for (const json& epoch : stages["fine-tune"].at("epochs")) facts.valAccuracy.push_back(epoch.value("val_accuracy", NAN));
            facts.fineTuneSeconds = stages["fine-tune"].value("seconds", 0.0);
        }
        return facts;
    } catch (const std::exception&) {
        return std::nullopt;
    }
}

}  // namespace

RunData loadRun(const QString& folder)
{
    const fs::path root = folder.toStdString();
    RunData run;
    run.folder = QDir(folder).absolutePath();
    const Plan plan = Plan::fromFile(root / "plan.json");
    run.modelFolder = QString::fromStdString(plan.modelPath);
    run.task = QString::fromStdString(plan.task);
    if (!plan.taskSettings.is_null())
        run.taskSettings = QJsonDocument::fromJson(QByteArray::fromStdString(plan.taskSettings.dump())).object();
    run.metric = QString::fromStdString(plan.metric);
    run.topK = plan.topK;
    run.tolerance = plan.tolerance;
    run.summary = summaryOf(plan);
    if (plan.baseline) run.baselineLoss = plan.baseline->valLoss;
    if (plan.baseline && plan.approximated) {
        run.devBefore = plan.baseline->devMetric.value_or(NAN);
        run.devAfter = plan.approximated->devMetric.value_or(NAN);
        run.latencyBefore = plan.baseline->latencyMs.value_or(NAN);
        run.latencyAfter = plan.approximated->latencyMs.value_or(NAN);
        run.parametersBefore = plan.baseline->parameters;
        run.parametersAfter = plan.approximated->parameters;
    }
    run.decisions = int(plan.decisions.size());
    for (const Decision& decision : plan.decisions)
        if (decision.applied) run.applied << QString::fromStdString(decision.element.describe());
    run.demo = demoFacts(root);
    if (plan.baseline && plan.approximated && plan.baseline->latencyMs && plan.approximated->latencyMs && *plan.approximated->latencyMs > 0)
        run.speedup = *plan.baseline->latencyMs / *plan.approximated->latencyMs;

    int layers = 0, heads = 0, groups = plan.ffnGroups;
    if (fs::exists(root / "significance.json")) {
        const Significance s = Significance::fromFile(root / "significance.json");
        // Heatmaps of another model's heads would sit silently beside this plan's decisions.
        if (!s.modelHash.empty() && !plan.modelHash.empty() && s.modelHash != plan.modelHash)
            failIn((root / "significance.json").string(), "made for another model (weights hash " + s.modelHash +
                                                              ") than plan.json's (" + plan.modelHash + ")");
        run.heads = gridFrom(s, true);
        run.ffnGroups = gridFrom(s, false);
        layers = s.layers;
        heads = s.heads;
        groups = s.ffnGroups;
        if (!plan.baseline) run.baselineLoss = s.baselineLoss;
    }
    addPoints(run, root / "pareto.json");
    for (widgets::ConfigurationPoint& point : run.points) {
        if (point.baseline || run.configurations[point.id].isEmpty()) continue;
        point.label += QStringLiteral(" (last: %1)").arg(describeRef(run.configurations[point.id].back()));
    }
    if (!run.points.isEmpty() && plan.baseline) run.points.front().latencyMs = plan.baseline->latencyMs.value_or(NAN);
    addRows(run, plan, layers, heads, groups);
    if (fs::exists(root / "report.md")) run.report = QString::fromStdString(readWholeFile(root / "report.md"));
    return run;
}

int finalPoint(const RunData& run)
{
    int last = 0;
    for (int i = 0; i < run.accepted.size(); ++i)
        if (run.accepted[i]) last = i;
    return last;
}

QVector<bool> appliedIn(const RunData& run, int pointId, const QString& kind, int layers, int columns)
{
    QVector<bool> marks(layers * columns, false);
    if (pointId < 0 || pointId >= run.configurations.size()) return marks;
    for (const ElementRef& e : run.configurations[pointId])
        if (e.kind == kind && e.layer < layers && e.index >= 0 && e.index < columns) marks[e.layer * columns + e.index] = true;
    return marks;
}

}  // namespace ax::studio
