// The views' data as CSV text (RFC 4180, header row, "." decimals, empty for unknown), for
// spreadsheets and papers. Write it with saveTextFile.
#pragma once

#include "pareto_data.h"
#include "plan_data.h"

#include <QString>
#include <QVector>

namespace ax::widgets {

// id,label,metric,parameters,latency_ms,baseline,front_parameters,front_latency: the last two say
// whether the point is on the Pareto front against parameters, and against latency.
QString paretoCsv(const QVector<ConfigurationPoint>& points);

// kind,layer,index,loss,delta_loss,metric,applied,forced,source,tried (index and the measured
// columns empty where they do not apply).
QString planCsv(const QVector<PlanRow>& rows, double baselineLoss);

}  // namespace ax::widgets
