#include "model/approximation.h"

#include <algorithm>

namespace ax {

bool LayerApproximation::isIdentity() const
{
    return !removeAttention && !removeFfn && hardAttentionTopK == 0 &&
           std::all_of(headMask.begin(), headMask.end(), [](float f) { return f == 1.0f; }) &&
           std::none_of(ffnGroupRemoved.begin(), ffnGroupRemoved.end(), [](bool removed) { return removed; });
}

bool LayerApproximation::operator==(const LayerApproximation& other) const
{
    return removeAttention == other.removeAttention && removeFfn == other.removeFfn && headMask == other.headMask &&
           ffnGroupRemoved == other.ffnGroupRemoved && hardAttentionTopK == other.hardAttentionTopK;
}

bool LayerApproximation::sameAttention(const LayerApproximation& other) const
{
    return removeAttention == other.removeAttention && headMask == other.headMask && hardAttentionTopK == other.hardAttentionTopK;
}

std::pair<int, int> ffnGroupRange(int width, int groups, int group)
{
    const int base = width / groups;
    const int extra = width % groups;
    const int begin = group * base + std::min(group, extra);
    return {begin, begin + base + (group < extra ? 1 : 0)};
}

}  // namespace ax
