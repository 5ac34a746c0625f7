#include "studio/classroom_steps.h"

#include <cmath>

namespace ax::studio {

namespace {

QString number(double value, int decimals)
{
    return std::isnan(value) ? QStringLiteral("–") : QString::number(value, 'f', decimals);
}

QString pretrainText(const RunData& run)
{
    QString text = QStringLiteral(
        "<p>A language model first learns the language itself, with no labels: <b>masked-LM pretraining</b> hides "
        "15% of the words of each sentence and trains the model to guess them.</p>");
    if (run.demo) {
        const DemoFacts& d = *run.demo;
        text += QStringLiteral(
                    "<p>Here the demo generated its own language (subjects and verbs that agree across phrases, "
                    "<i>not</i>, and <i>but</i> / <i>although</i> contrasts) and pretrained a 4-layer BERT on it for %1 "
                    "steps (%2 s). On held-out sentences its loss on the hidden words fell from <b>%3</b> to <b>%4</b> "
                    "nats and it now guesses <b>%5%</b> of them right.</p>")
                    .arg(d.pretrainSteps)
                    .arg(number(d.pretrainSeconds, 0))
                    .arg(number(d.heldOutLossBefore, 2))
                    .arg(number(d.heldOutLossAfter, 2))
                    .arg(number(100 * d.heldOutAccuracy, 1));
    }
    return text + QStringLiteral("<p>The <b>Model</b> tab shows its shape: layers, heads per layer, FFN width, parameters.</p>");
}

QString fineTuneText(const RunData& run)
{
    QString text = QStringLiteral(
        "<p><b>Fine-tuning</b> teaches the pretrained model one task. 15% of the training data is set aside as "
        "<i>val</i>: every later decision is judged on it, never on the test (dev) data.</p>");
    if (run.demo && !run.demo->valAccuracy.isEmpty()) {
        QStringList epochs;
        for (double accuracy : run.demo->valAccuracy) epochs << number(accuracy, 3);
        text += QStringLiteral("<p>Sentiment of the demo's reviews, val accuracy after each epoch: <b>%1</b> (%2 s).</p>")
                    .arg(epochs.join(QStringLiteral(" → ")))
                    .arg(number(run.demo->fineTuneSeconds, 0));
    }
    return text + QStringLiteral("<p>The model is now good at one task, and much bigger than that task needs.</p>");
}

}  // namespace

QVector<GuideStep> classroomSteps(const RunData& run)
{
    QVector<GuideStep> steps;
    steps.push_back({QStringLiteral("1. Pretraining"), ModelTab, pretrainText(run), {}});
    steps.push_back({QStringLiteral("2. Fine-tuning"), ModelTab, fineTuneText(run), {}});
    steps.push_back({QStringLiteral("3. Which parts matter?"), SignificanceTab,
                     QStringLiteral("<p>Remove one head (left) or one group of FFN neurons (right) at a time and measure the "
                                    "val loss. <span style='color:#b2182b'><b>Red</b></span>: removing it hurts. "
                                    "<span style='color:#1b7837'><b>Green</b></span>: removing it <i>helps</i> — the "
                                    "fine-tuned model carries parts that only add noise for this task. Hover a cell for "
                                    "its numbers; switch to gradient importance for the cheap estimate.</p>"),
                     {}});
    steps.push_back({QStringLiteral("4. Hard attention"), AttentionTab,
                     QStringLiteral("<p>Each query word spreads its attention over every word (left). <b>Hard attention</b> "
                                    "keeps only the k largest weights (k = %1) and zeroes the rest (middle); the right map "
                                    "shows what was dropped. The search keeps hard attention in a layer only where the "
                                    "val loss does not get worse. Change the layer and head above the maps.</p>")
                         .arg(run.topK),
                     QStringLiteral("the dogs near the old park are not friendly but the cake is lovely .")});
    steps.push_back({QStringLiteral("5. Accuracy-driven pruning"), ParetoTab,
                     QStringLiteral("<p>From the top layer down, the search tries removing each FFN block, then its groups, "
                                    "then each attention block, then its heads, and keeps a removal only if the val loss "
                                    "falls <i>and</i> most val examples get no worse. Every point is one configuration it "
                                    "tried; the line is the Pareto front (most accurate for its size). It tried %1 "
                                    "approximations and kept %2%3.</p><p>Click a point to see what it removes; the "
                                    "<b>Plan</b> tab lets you force any decision and re-run.</p>")
                         .arg(run.decisions)
                         .arg(run.applied.size())
                         .arg(run.applied.isEmpty() ? QString() : QStringLiteral(": ") + run.applied.join(QStringLiteral(", "))),
                     {}});
    steps.push_back({QStringLiteral("6. Export"), ReportTab,
                     QStringLiteral("<p>The kept removals are applied for real: the weights of removed heads, neurons and "
                                    "blocks are cut out, so the model is smaller and faster, not just masked.</p>"
                                    "<p>Test (dev) %1: <b>%2 → %3</b>. Parameters: <b>%4 → %5</b>. Latency (batch 1): "
                                    "<b>%6 → %7 ms</b>.</p><p>File → Export → Sliced Model Folder writes it in Hugging "
                                    "Face layout.</p>")
                         .arg(run.metric)
                         .arg(number(run.devBefore, 3))
                         .arg(number(run.devAfter, 3))
                         .arg(run.parametersBefore)
                         .arg(run.parametersAfter)
                         .arg(number(run.latencyBefore, 1))
                         .arg(number(run.latencyAfter, 1)),
                     {}});
    return steps;
}

}  // namespace ax::studio
