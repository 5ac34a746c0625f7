// What a sharded evaluation needs from the processes it runs in (docs/DISTRIBUTED.md): every
// process evaluates its share of the batches, then all of them sum their zero-filled results,
// so that each ends with the whole and takes the same decisions. No LibTorch here: the engine's
// evaluation depends on this interface, only the process group (gloo_collective.h) on c10d.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace ax {

class Collective {
public:
    virtual ~Collective() = default;
    virtual int rank() const = 0;
    virtual int size() const = 0;
    // Every process passes a vector of the same length; each ends with the element-wise sum.
    // Throws ax::Error when another process stopped or the connection failed.
    virtual void sumInPlace(std::vector<double>& values) = 0;
    // Rank 0's `text` on every process (what the others pass is ignored).
    virtual std::string broadcastText(const std::string& text) = 0;
};

// Rank 0 (the lead) writes the outputs; without a collective the single process is the lead.
inline bool isLead(const Collective* collective) { return !collective || collective->rank() == 0; }

// Runs `lead` on rank 0 alone and returns its text on every rank. An ax::Error it throws is
// thrown on every rank, so that the others stop with the lead's reason instead of waiting for it.
std::string fromLead(Collective* collective, const std::function<std::string()>& lead);

// Throws ax::Error on every rank unless all passed the same `fingerprint` (a hash of their model
// and data): processes that evaluate different things would take different decisions.
void requireSameEverywhere(Collective* collective, const std::string& fingerprint, const std::string& what);

}  // namespace ax
