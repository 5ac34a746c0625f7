// Saving the views' plots and tables as files for reports and papers.
#pragma once

#include <QSize>
#include <QString>

class QCustomPlot;

namespace ax::widgets {

// Saves `plot` as PNG (at twice its pixel size, for print), PDF or SVG, chosen by the suffix of
// `fileName` (case-insensitive), at `size` or the plot's own size. The file is written beside its
// target and renamed over it, so a failed export never leaves a half-written file. Returns false
// with `error` naming the file and the reason.
bool exportPlot(QCustomPlot& plot, const QString& fileName, QString* error, QSize size = {});

// Writes `text` as UTF-8 to `fileName` with the same all-or-nothing guarantee (CSV exports).
bool saveTextFile(const QString& fileName, const QString& text, QString* error);

}  // namespace ax::widgets
