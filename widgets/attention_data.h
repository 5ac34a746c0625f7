// Plain data for the attention view: one head's softmax attention over a tokenised example.
#pragma once

#include <QString>
#include <QStringList>
#include <QVector>

namespace ax::widgets {

struct AttentionPair {
    QStringList tokens;  // n tokens, labelling both axes
    int topK = 30;       // k of the hard (top-k) attention shown beside the softmax
    int layer = 0;
    int head = 0;
    QVector<float> soft;  // n * n softmax probabilities, row-major, row = query, column = key
};

}  // namespace ax::widgets
