// The classroom guide: steps through the AxFormer story one explanation at a time, asking the
// window to show the matching tab (and, for attention, a sentence).
#pragma once

#include "studio/classroom_steps.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTextBrowser;

namespace ax::studio {

class ClassroomGuide : public QWidget {
    Q_OBJECT
public:
    explicit ClassroomGuide(QWidget* parent = nullptr);

    void setSteps(const QVector<GuideStep>& steps);  // shows the first step
    void showStep(int index);
    int currentStep() const { return m_current; }
    int stepCount() const { return m_steps.size(); }
    QString currentText() const;

Q_SIGNALS:
    void stepShown(const ax::studio::GuideStep& step);

private:
    QVector<GuideStep> m_steps;
    int m_current = -1;
    QLabel* m_title;
    QTextBrowser* m_text;
    QLabel* m_position;
    QPushButton* m_back;
    QPushButton* m_next;
};

}  // namespace ax::studio
