// Plain data for the plan editor: one row per approximation the search considered, and the
// user's override of its decision.
#pragma once

#include <QString>

namespace ax::widgets {

// What the user wants for an element; the studio turns ForceOn/ForceOff into --force entries.
enum class OverrideState { SearchDecides, ForceOn, ForceOff };

struct PlanRow {
    QString kind;         // "hard_attention", "attention_block", "ffn_block", "head", "ffn_group"
    int layer = 0;
    int index = -1;       // head or FFN group; -1 for blocks and hard attention
    double loss = 0;      // val loss of the configuration tried (meaningless unless tried)
    double metric = 0;    // val task metric of that configuration
    bool applied = false;
    bool forced = false;  // decided by the user, not the search
    QString source = QStringLiteral("search");  // "search" or "user"
    bool tried = false;   // false when the search never evaluated it (e.g. a layer's block was kept)
};

}  // namespace ax::widgets
