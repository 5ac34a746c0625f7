#include "plot_export.h"

#include <QFileInfo>
#include <QPdfWriter>
#include <QSaveFile>
#include <QSvgGenerator>
#include <qcustomplot.h>

namespace ax::widgets {

namespace {

// A plot in a tab never shown has no size yet; export it at a size that reads well on a page.
constexpr QSize kFallbackSize(800, 500);

bool fail(QString* error, const QString& message)
{
    if (error) *error = message;
    return false;
}

// Draws the plot with vector output (no cached pixmaps) on a device that is already set up.
bool paintVector(QCustomPlot& plot, QPaintDevice* device, QSize size)
{
    QCPPainter painter;
    if (!painter.begin(device)) return false;
    painter.setMode(QCPPainter::pmVectorized);
    painter.setWindow(0, 0, size.width(), size.height());
    plot.toPainter(&painter, size.width(), size.height());
    return painter.end();
}

}  // namespace

bool exportPlot(QCustomPlot& plot, const QString& fileName, QString* error, QSize size)
{
    if (size.isEmpty()) size = plot.size();
    if (size.width() < 50 || size.height() < 50) size = kFallbackSize;
    const QString format = QFileInfo(fileName).suffix().toLower();
    if (format != "png" && format != "pdf" && format != "svg")
        return fail(error, QObject::tr("Cannot export the plot to %1: unknown format \"%2\" (use .png, .pdf or .svg)")
                               .arg(fileName, format));

    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly))
        return fail(error, QObject::tr("Cannot write %1: %2").arg(fileName, file.errorString()));
    // Vector output at the screen's resolution: fonts, given in points, then keep the size they
    // have beside the plot on screen (at the writers' own 1200 or 72 dpi they would not).
    const int dpi = plot.logicalDpiX();
    bool drawn = false;
    if (format == "png") {
        drawn = plot.toPixmap(size.width(), size.height(), 2.0).save(&file, "PNG");
    } else if (format == "pdf") {
        QPdfWriter pdf(&file);
        pdf.setResolution(dpi);
        pdf.setPageSize(QPageSize(QSizeF(size) * 72.0 / dpi, QPageSize::Point));
        pdf.setPageMargins(QMarginsF(0, 0, 0, 0));
        pdf.setCreator(QStringLiteral("AxFormer Studio"));
        drawn = paintVector(plot, &pdf, size);
    } else {
        QSvgGenerator svg;
        svg.setOutputDevice(&file);
        svg.setResolution(dpi);
        svg.setSize(size);
        svg.setViewBox(QRect(QPoint(0, 0), size));
        svg.setTitle(QFileInfo(fileName).completeBaseName());
        drawn = paintVector(plot, &svg, size);
    }
    if (!drawn) {
        file.cancelWriting();
        return fail(error, QObject::tr("Cannot write %1: drawing the plot failed").arg(fileName));
    }
    if (!file.commit()) return fail(error, QObject::tr("Cannot write %1: %2").arg(fileName, file.errorString()));
    return true;
}

bool saveTextFile(const QString& fileName, const QString& text, QString* error)
{
    QSaveFile file(fileName);
    if (!file.open(QIODevice::WriteOnly) || file.write(text.toUtf8()) < 0 || !file.commit())
        return fail(error, QObject::tr("Cannot write %1: %2").arg(fileName, file.errorString()));
    return true;
}

}  // namespace ax::widgets
