#include "csv_export.h"

#include "pareto_front.h"

#include <QLocale>
#include <QStringList>

#include <cmath>

namespace ax::widgets {

namespace {

QString field(const QString& text)
{
    const bool plain = !text.contains(',') && !text.contains('"') && !text.contains('\n') && !text.contains('\r');
    if (plain) return text;
    return '"' + QString(text).replace('"', QLatin1String("\"\"")) + '"';
}

// The shortest text that reads back as the same double; empty when unknown.
QString number(double value)
{
    return std::isfinite(value) ? QString::number(value, 'g', QLocale::FloatingPointShortest) : QString();
}

QString flag(bool value)
{
    return value ? QStringLiteral("true") : QStringLiteral("false");
}

QString line(const QStringList& fields)
{
    return fields.join(',') + QStringLiteral("\r\n");
}

}  // namespace

QString paretoCsv(const QVector<ConfigurationPoint>& points)
{
    const QVector<int> byParameters = paretoFront(points, false), byLatency = paretoFront(points, true);
    QString csv = line({"id", "label", "metric", "parameters", "latency_ms", "baseline", "front_parameters", "front_latency"});
    for (const ConfigurationPoint& point : points)
        csv += line({QString::number(point.id), field(point.label), number(point.metric), QString::number(point.parameters),
                     number(point.latencyMs), flag(point.baseline), flag(byParameters.contains(point.id)),
                     flag(byLatency.contains(point.id))});
    return csv;
}

QString planCsv(const QVector<PlanRow>& rows, double baselineLoss)
{
    QString csv = line({"kind", "layer", "index", "loss", "delta_loss", "metric", "applied", "forced", "source", "tried"});
    for (const PlanRow& row : rows)
        csv += line({field(row.kind), QString::number(row.layer), row.index >= 0 ? QString::number(row.index) : QString(),
                     row.tried ? number(row.loss) : QString(), row.tried ? number(row.loss - baselineLoss) : QString(),
                     row.tried ? number(row.metric) : QString(), flag(row.applied), flag(row.forced), field(row.source),
                     flag(row.tried)});
    return csv;
}

}  // namespace ax::widgets
