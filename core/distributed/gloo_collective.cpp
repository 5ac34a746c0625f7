#include "distributed/gloo_collective.h"

#include "common/error.h"

#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/torch.h>

#include <cstdlib>

namespace ax {

namespace {

std::string address(const ProcessGroupSettings& settings)
{
    return settings.masterHost + ":" + std::to_string(settings.masterPort);
}

bool isLoopback(const std::string& host) { return host == "localhost" || host.rfind("127.", 0) == 0 || host == "::1"; }

// The network device Gloo's connections use. As torch.distributed: GLOO_SOCKET_IFNAME names an
// interface; else the address this machine's hostname resolves to (loopback when it does not).
// With a loopback master every process is on this machine, so loopback is the one to use.
std::shared_ptr<::gloo::transport::Device> networkDevice(const ProcessGroupSettings& settings)
{
    if (const char* interface = std::getenv("GLOO_SOCKET_IFNAME"); interface && *interface)
        return c10d::ProcessGroupGloo::createDeviceForInterface(interface);
    if (isLoopback(settings.masterHost)) return c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1");
    return c10d::ProcessGroupGloo::createDefaultDevice();
}

class GlooCollective : public Collective {
public:
    explicit GlooCollective(const ProcessGroupSettings& settings) : m_settings(settings)
    {
        const std::chrono::milliseconds timeout = settings.timeout;
        c10d::TCPStoreOptions storeOptions;
        storeOptions.port = static_cast<std::uint16_t>(settings.masterPort);
        storeOptions.isServer = settings.rank == 0;
        storeOptions.numWorkers = static_cast<size_t>(settings.worldSize);
        storeOptions.waitWorkers = true;
        storeOptions.timeout = timeout;
        try {
            m_store = c10::make_intrusive<c10d::TCPStore>(settings.masterHost, storeOptions);
            auto options = c10d::ProcessGroupGloo::Options::create(timeout);
            options->devices.push_back(networkDevice(settings));
            options->threads = 1;  // one collective at a time: the evaluation waits for each
            m_group = c10::make_intrusive<c10d::ProcessGroupGloo>(m_store, settings.rank, settings.worldSize, options);
        } catch (const std::exception& error) {
            throw Error("distributed: rank " + std::to_string(settings.rank) + " of " + std::to_string(settings.worldSize) +
                        " could not join the process group at " + address(settings) + " within " +
                        std::to_string(settings.timeout.count()) + " s (is every rank started, with the same --master "
                        "and --world-size, and is the port free on the master?): " + firstLine(error.what()));
        }
    }

    int rank() const override { return m_settings.rank; }
    int size() const override { return m_settings.worldSize; }

    void sumInPlace(std::vector<double>& values) override
    {
        if (values.empty()) return;
        std::vector<at::Tensor> tensors{torch::from_blob(values.data(), {static_cast<int64_t>(values.size())}, torch::kFloat64)};
        run("a sum", [&] { m_group->allreduce(tensors)->wait(); });
    }

    std::string broadcastText(const std::string& text) override
    {
        std::vector<at::Tensor> length{torch::tensor({static_cast<int64_t>(text.size())}, torch::kInt64)};
        run("a broadcast", [&] { m_group->broadcast(length)->wait(); });
        std::string received = m_settings.rank == 0 ? text : std::string(static_cast<size_t>(length[0].item<int64_t>()), '\0');
        if (received.empty()) return received;
        std::vector<at::Tensor> bytes{torch::from_blob(received.data(), {static_cast<int64_t>(received.size())}, torch::kUInt8)};
        run("a broadcast", [&] { m_group->broadcast(bytes)->wait(); });
        return received;
    }

private:
    static std::string firstLine(const std::string& text) { return text.substr(0, text.find('\n')); }

    // Gloo reports a peer that died or hung as an exception with its own wording; this names the
    // situation for a user of the CLI.
    void run(const char* what, const std::function<void()>& operation)
    {
        try {
            operation();
        } catch (const std::exception& error) {
            throw Error("distributed: rank " + std::to_string(m_settings.rank) + " of " + std::to_string(m_settings.worldSize) +
                        ": " + what + " across the processes failed: another rank stopped, or did not answer within " +
                        std::to_string(m_settings.timeout.count()) + " s (" + firstLine(error.what()) + ")");
        }
    }

    ProcessGroupSettings m_settings;
    c10::intrusive_ptr<c10d::Store> m_store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> m_group;
};

}  // namespace

std::unique_ptr<Collective> joinProcessGroup(const ProcessGroupSettings& settings)
{
    if (settings.worldSize < 1 || settings.rank < 0 || settings.rank >= settings.worldSize)
        throw Error("distributed: rank " + std::to_string(settings.rank) + " is not in a world of size " +
                    std::to_string(settings.worldSize) + " (ranks are 0 to world size - 1)");
    return std::make_unique<GlooCollective>(settings);
}

}  // namespace ax
