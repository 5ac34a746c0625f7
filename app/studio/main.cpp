// axformer-studio: the desktop application.

// LibTorch before any Qt header: Qt's `slots` macro breaks LibTorch's headers.
#include <ATen/Parallel.h>

#include "common/fast_runtime.h"
#include "common/thread_count.h"
#include "studio/main_window.h"
#include "studio/run_panel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QIcon>
#include <QTabWidget>
#include <QTimer>

#include <iostream>

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
    at::set_num_threads(ax::defaultThreadCount());

    QCommandLineParser parser;
    parser.setApplicationDescription("AxFormer Studio: make a fine-tuned BERT smaller, faster and more accurate.\n"
                                     "Without --model, --run or --project it opens on the built-in demo.");
    const QCommandLineOption help({"h", "help"}, "Show this help and exit.");
    const QCommandLineOption version({"v", "version"}, "Show the version and exit.");
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
    for (const auto& option : {help, version, model, task, data, run, project, demo, demoFolder, classroom, screenshot, tab, sentence})
        parser.addOption(option);

    // --help, --version and usage errors are answered before Qt looks for a display, so that they
    // work in a terminal without one (and from a package's install test).
    QStringList arguments;
    for (int i = 0; i < argc; ++i) arguments << QString::fromLocal8Bit(argv[i]);
    if (!parser.parse(arguments)) {
        std::cerr << "axformer-studio: " << parser.errorText().toStdString() << "\n"
                  << "Run `axformer-studio --help` for the options.\n";
        return 2;
    }
    if (parser.isSet(help)) {
        // Without an application object Qt cannot name the program, and writes a placeholder.
        std::cout << parser.helpText().replace(QLatin1String("<executable_name>"), QLatin1String("axformer-studio")).toStdString();
        return 0;
    }
    if (parser.isSet(version)) {
        std::cout << "axformer-studio " << AXFORMER_VERSION << "\n";
        return 0;
    }

    QApplication app(argc, argv);
    QApplication::setApplicationName("AxFormer Studio");
    QApplication::setOrganizationName("AxFormer");
    QApplication::setApplicationVersion(AXFORMER_VERSION);
    // Ties the windows to the installed desktop entry (its name and icon in docks and task bars).
    QGuiApplication::setDesktopFileName("org.axformer.studio");
    QApplication::setWindowIcon(QIcon(":/axformer-studio.svg"));

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
