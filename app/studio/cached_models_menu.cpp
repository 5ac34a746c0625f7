#include "studio/cached_models_menu.h"

#include "io/model_discovery.h"

namespace ax::studio {

CachedModelsMenu::CachedModelsMenu(QWidget* parent) : QMenu(tr("Hugging Face &Cache"), parent)
{
    // The cache changes whenever the user downloads something: read it when the menu opens.
    connect(this, &QMenu::aboutToShow, this, &CachedModelsMenu::refresh);
}

void CachedModelsMenu::refresh()
{
    clear();
    const std::filesystem::path cache = huggingFaceHubCache();
    const std::vector<FoundModel> models = findCachedModels(cache);
    if (models.empty()) {
        addAction(tr("No models in %1").arg(QString::fromStdString(cache.string())))->setEnabled(false);
        return;
    }
    for (const FoundModel& model : models) {
        const QString revision = QString::fromStdString(model.revision.substr(0, 8));
        const QString text = model.current ? tr("%1  (%2)").arg(QString::fromStdString(model.name), revision)
                                           : tr("%1  (%2, older revision)").arg(QString::fromStdString(model.name), revision);
        QAction* action = addAction(text);
        const QString folder = QString::fromStdString(model.folder.string());
        action->setToolTip(model.problem.empty() ? folder : tr("Cannot be loaded: %1").arg(QString::fromStdString(model.problem)));
        action->setEnabled(model.problem.empty());
        connect(action, &QAction::triggered, this, [this, folder] { Q_EMIT modelChosen(folder); });
    }
    setToolTipsVisible(true);
}

}  // namespace ax::studio
