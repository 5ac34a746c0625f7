// axformer-studio: the desktop application.

// LibTorch before any Qt header: Qt's `slots` macro breaks LibTorch's headers.
#include <ATen/Parallel.h>

#include "common/fast_runtime.h"
#include "studio/main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTimer>

#include <iostream>
#include <thread>

namespace {

// Renders the window once it has settled (model loaded, layout done) and exits.
void scheduleScreenshot(ax::studio::MainWindow& window, const QString& file)
{
    auto capture = [&window, file] {
        QTimer::singleShot(300, &window, [&window, file] {
            const bool saved = window.grab().save(file);
            if (!saved) std::cerr << "axformer-studio: cannot write the screenshot " << file.toStdString() << "\n";
            QApplication::exit(saved ? 0 : 1);
        });
    };
    if (window.isBusy()) QObject::connect(&window, &ax::studio::MainWindow::modelLoadFinished, &window, capture);
    else capture();
}

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    at::set_num_threads(static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));

    QApplication app(argc, argv);
    QApplication::setApplicationName("AxFormer Studio");
    QApplication::setOrganizationName("AxFormer");
    QApplication::setApplicationVersion("0.1.0");

    QCommandLineParser parser;
    parser.setApplicationDescription("AxFormer Studio: make a fine-tuned BERT smaller, faster and more accurate.");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model("model", "Open this model folder (Hugging Face layout).", "DIR");
    const QCommandLineOption screenshot("screenshot", "Render the settled main window to a PNG and exit.", "FILE.png");
    parser.addOption(model);
    parser.addOption(screenshot);
    parser.process(app);

    ax::studio::MainWindow window;
    if (parser.isSet(model)) window.openModel(parser.value(model));
    if (parser.isSet(screenshot)) {
        window.setAttribute(Qt::WA_DontShowOnScreen, true);
        window.show();
        scheduleScreenshot(window, parser.value(screenshot));
    } else {
        window.show();
    }
    return QApplication::exec();
}
