#include "studio/classroom_guide.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace ax::studio {

ClassroomGuide::ClassroomGuide(QWidget* parent)
    : QWidget(parent),
      m_title(new QLabel(this)),
      m_text(new QTextBrowser(this)),
      m_position(new QLabel(this)),
      m_back(new QPushButton(tr("◀ Back"), this)),
      m_next(new QPushButton(tr("Next ▶"), this))
{
    QFont titleFont = m_title->font();
    titleFont.setBold(true);
    titleFont.setPointSizeF(titleFont.pointSizeF() * 1.3);
    m_title->setFont(titleFont);
    m_title->setWordWrap(true);
    m_back->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Left));
    m_next->setShortcut(QKeySequence(Qt::ALT | Qt::Key_Right));
    m_back->setToolTip(tr("Previous step (Alt+Left)"));
    m_next->setToolTip(tr("Next step (Alt+Right)"));
    connect(m_back, &QPushButton::clicked, this, [this] { showStep(m_current - 1); });
    connect(m_next, &QPushButton::clicked, this, [this] { showStep(m_current + 1); });

    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_back);
    buttons->addStretch(1);
    buttons->addWidget(m_position);
    buttons->addStretch(1);
    buttons->addWidget(m_next);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_title);
    layout->addWidget(m_text, 1);
    layout->addLayout(buttons);
    setSteps({});
}

void ClassroomGuide::setSteps(const QVector<GuideStep>& steps)
{
    m_steps = steps;
    m_current = -1;
    if (m_steps.isEmpty()) {
        m_title->setText(tr("Classroom guide"));
        m_text->setHtml(tr("<p>Run the demo (Ctrl+D) or open a finished run: the guide then walks through "
                           "pretraining, fine-tuning, significance, hard attention, pruning and export with the "
                           "run's own numbers.</p>"));
        m_position->clear();
        m_back->setEnabled(false);
        m_next->setEnabled(false);
        return;
    }
    showStep(0);
}

void ClassroomGuide::showStep(int index)
{
    if (index < 0 || index >= m_steps.size()) return;
    m_current = index;
    const GuideStep& step = m_steps[index];
    m_title->setText(step.title);
    m_text->setHtml(step.html);
    m_position->setText(tr("step %1 of %2").arg(index + 1).arg(m_steps.size()));
    m_back->setEnabled(index > 0);
    m_next->setEnabled(index + 1 < m_steps.size());
    Q_EMIT stepShown(step);
}

QString ClassroomGuide::currentText() const
{
    return m_text->toPlainText();
}

}  // namespace ax::studio
