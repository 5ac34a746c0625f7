// axformer-studio: the desktop application.

// LibTorch before any Qt header: Qt's `slots` macro breaks LibTorch's headers.
#include <ATen/Parallel.h>

#include "common/fast_runtime.h"
#include "studio/main_window.h"
#include "studio/run_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QTabWidget>
#include <QTimer>

#include <iostream>
#include <thread>

namespace {

// Renders the window once it has settled (model and run loaded, layout done) and exits; with a
// tab index, that tab is shown first.
void scheduleScreenshot(ax::studio::MainWindow& window, const QString& file, int tab)
{
    auto capture = [&window, file, tab] {
        if (tab >= 0) window.tabs()->setCurrentIndex(tab);
        QTimer::singleShot(500, &window, [&window, file] {
            if (window.isBusy()) return;  // a later load will capture
            const bool saved = window.grab().save(file);
            if (!saved) std::cerr << "axformer-studio: cannot write the screenshot " << file.toStdString() << "\n";
            QApplication::exit(saved ? 0 : 1);
        });
    };
    QObject::connect(&window, &ax::studio::MainWindow::modelLoadFinished, &window, capture);
    QObject::connect(&window, &ax::studio::MainWindow::runLoadFinished, &window, capture);
    QObject::connect(&window, &ax::studio::MainWindow::attentionShown, &window, capture);
    QObject::connect(&window, &ax::studio::MainWindow::jobFinished, &window, [capture](bool ok) {
        if (!ok) capture();
    });
    if (!window.isBusy()) capture();
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
    parser.setApplicationDescription("AxFormer Studio: make a fine-tuned BERT smaller, faster and more accurate.\n"
                                     "Without --model, --run or --project it opens on the built-in demo.");
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption model("model", "Open this model folder (Hugging Face layout).", "DIR");
    const QCommandLineOption task("task", "The model's task (sst2, mrpc, cola, stsb, rte, qnli, squad, ...).", "T");
    const QCommandLineOption data("data", "The task's data: a GLUE task folder or SQuAD JSON.", "PATH");
    const QCommandLineOption run("run", "Open a finished search run folder (plan.json, pareto.json, ...).", "DIR");
    const QCommandLineOption project("project", "Open a saved project (.axproj).", "FILE");
    const QCommandLineOption demo("demo", "Run (or reopen, when cached) the built-in demo.");
    const QCommandLineOption demoFolder("demo-folder", "Keep the demo's artefacts here (default: the user's data folder).", "DIR");
    const QCommandLineOption classroom("classroom", "Start in classroom mode (large text for projectors).");
    const QCommandLineOption screenshot("screenshot", "Render the settled main window to a PNG and exit.", "FILE.png");
    const QCommandLineOption sentence("sentence", "Show this sentence's attention (the Attention tab).", "TEXT");
    const QCommandLineOption tab("tab", "With --screenshot: the tab to show (0 model, 1 significance, 2 attention, 3 Pareto, 4 plan, 5 report).", "N");
    for (const auto& option : {model, task, data, run, project, demo, demoFolder, classroom, screenshot, tab, sentence}) parser.addOption(option);
    parser.process(app);

    ax::studio::MainWindow window;
    if (parser.isSet(classroom)) window.setClassroomMode(true);
    if (parser.isSet(task)) window.runPanel()->setTask(parser.value(task));
    if (parser.isSet(data)) window.runPanel()->setDataPath(parser.value(data));
    const bool explicitWork = parser.isSet(model) || parser.isSet(run) || parser.isSet(project);
    if (parser.isSet(project)) window.openProject(parser.value(project));
    if (parser.isSet(model)) window.openModel(parser.value(model));
    if (parser.isSet(run)) window.openRun(parser.value(run));
    if (parser.isSet(demo) || !explicitWork) window.runDemo(parser.value(demoFolder));
    if (parser.isSet(sentence)) window.showSentence(parser.value(sentence));
    if (parser.isSet(screenshot)) {
        window.setAttribute(Qt::WA_DontShowOnScreen, true);
        window.show();
        scheduleScreenshot(window, parser.value(screenshot), parser.isSet(tab) ? parser.value(tab).toInt() : -1);
    } else {
        window.show();
    }
    return QApplication::exec();
}
