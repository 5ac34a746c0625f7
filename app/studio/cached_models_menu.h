// File > Hugging Face Cache: the models a user already downloaded with Hugging Face tools, read
// from the hub cache each time the menu opens. Models that cannot be loaded as they are (only
// pytorch_model.bin, weights never downloaded) are listed disabled, with the reason as tooltip.
#pragma once

#include <QMenu>

namespace ax::studio {

class CachedModelsMenu : public QMenu {
    Q_OBJECT
public:
    explicit CachedModelsMenu(QWidget* parent = nullptr);

    // Reads the cache again (what opening the menu does).
    void refresh();

Q_SIGNALS:
    void modelChosen(const QString& folder);
};

}  // namespace ax::studio
