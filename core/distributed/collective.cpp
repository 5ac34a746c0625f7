#include "distributed/collective.h"

#include "common/error.h"
#include "common/fnv_hash.h"

#include <cstdint>

namespace ax {

std::string fromLead(Collective* collective, const std::function<std::string()>& lead)
{
    if (!collective) return lead();
    // One broadcast carries either outcome: 'T' + the text, or 'E' + the lead's error.
    if (collective->rank() == 0) {
        std::string text;
        try {
            text = lead();
        } catch (const Error& error) {
            collective->broadcastText(std::string("E") + error.what());
            throw;
        }
        collective->broadcastText("T" + text);
        return text;
    }
    const std::string received = collective->broadcastText({});
    if (received.empty()) throw Error("distributed: rank 0 sent nothing where it should have sent its outcome");
    if (received[0] == 'E') throw Error("rank 0 stopped: " + received.substr(1));
    return received.substr(1);
}

void requireSameEverywhere(Collective* collective, const std::string& fingerprint, const std::string& what)
{
    if (!collective || collective->size() < 2) return;
    FnvHash fnv;
    fnv.addText(fingerprint);
    const uint64_t hash = fnv.value();
    // Four 16-bit pieces and their squares: the sums equal size * piece and size * piece^2 (exact
    // in doubles) only when every rank has the same piece, as a variance of zero says.
    std::vector<double> sums;
    for (int piece = 0; piece < 4; ++piece) sums.push_back(double((hash >> (16 * piece)) & 0xffff));
    for (int piece = 0; piece < 4; ++piece) sums.push_back(sums[size_t(piece)] * sums[size_t(piece)]);
    const std::vector<double> mine = sums;
    collective->sumInPlace(sums);
    for (size_t i = 0; i < sums.size(); ++i)
        if (sums[i] != mine[i] * collective->size())
            throw Error("distributed: the processes do not all have the same " + what + " (rank " +
                        std::to_string(collective->rank()) + "'s differ from another's); every rank needs identical copies");
}

}  // namespace ax
