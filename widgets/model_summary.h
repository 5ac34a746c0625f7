// Plain data describing a model, for the views (no LibTorch, no engine types).
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace ax::widgets {

struct LayerSummary {
    int heads = 0;
    int intermediateSize = 0;
    bool hasAttention = true;
    bool hasFfn = true;
    int hardAttentionTopK = 0;
};

struct ModelSummary {
    QString folder;
    int hiddenSize = 0;
    int numHeads = 0;          // per layer before pruning
    int headDim = 0;
    int intermediateSize = 0;  // per layer before pruning
    int vocabSize = 0;
    int maxPositions = 0;
    qint64 parameters = 0;
    qint64 bytesOnDisk = 0;
    QString precision;  // "float32", "int8 encoder projections", "bfloat16"
    QStringList taskHeads;
    QStringList labels;
    QVector<LayerSummary> layers;
};

}  // namespace ax::widgets
