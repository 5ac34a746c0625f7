// Joins a process group of LibTorch's c10d (a TCPStore rendezvous at the master's address, the
// Gloo backend for CPU tensors), as torch.distributed's init_process_group does with
// backend="gloo": a collective for sharded evaluation across processes and machines.
#pragma once

#include "distributed/collective.h"

#include <chrono>
#include <memory>
#include <string>

namespace ax {

struct ProcessGroupSettings {
    int worldSize = 1;
    int rank = 0;
    std::string masterHost = "127.0.0.1";
    int masterPort = 29500;
    // How long to wait for every process to join, and for any one collective operation: a
    // process that hangs makes the others stop with an error after this.
    std::chrono::seconds timeout{1800};
};

// Blocks until all `worldSize` processes have joined. Throws ax::Error naming the address when
// they do not within the timeout, or the port cannot be used.
std::unique_ptr<Collective> joinProcessGroup(const ProcessGroupSettings& settings);

}  // namespace ax
