#include "cli/distributed_options.h"

#include "distributed/gloo_collective.h"

#include <cstdlib>
#include <limits>

namespace ax::cli {

namespace {

const char* const kDistributedHelp =
    "\nSeveral processes (on one machine or many) can share the val and dev batches: start the same\n"
    "command once per process; all take the same decisions and rank 0 writes the outputs:\n"
    "  --world-size N   processes in all (default 1, or $WORLD_SIZE)\n"
    "  --rank R         this process, 0 to N-1 (or $RANK)\n"
    "  --master H:P     rank 0's machine and a free port on it (or $MASTER_ADDR and $MASTER_PORT,\n"
    "                   port 29500 by default), as torchrun sets them\n"
    "  --dist-timeout S (1800) seconds to wait for every process to join, and for a stopped one\n";

std::optional<std::string> environment(const char* name)
{
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
}

int environmentNumber(const char* variable, int fallback, int minimum, int maximum)
{
    const auto text = environment(variable);
    if (!text) return fallback;
    if (const auto parsed = wholeNumberIn(*text, minimum, maximum)) return *parsed;
    throw UsageError(std::string("$") + variable + " must be a whole number from " + std::to_string(minimum) + " to " +
                     std::to_string(maximum) + ", got \"" + *text + "\"");
}

// An option's value, else the environment variable's, as a whole number in [minimum, maximum].
int setting(const Arguments& arguments, const char* option, const char* variable, int fallback, int minimum, int maximum)
{
    if (arguments.value(option)) return arguments.integer(option, fallback, minimum, maximum);
    return environmentNumber(variable, fallback, minimum, maximum);
}

}  // namespace

void addDistributedOptions(Command& command)
{
    for (const char* option : {"world-size", "rank", "master", "dist-timeout"}) command.options.insert(option);
    command.usage += kDistributedHelp;
}

int worldSizeFrom(const Arguments& arguments) { return setting(arguments, "world-size", "WORLD_SIZE", 1, 1, 65536); }

std::unique_ptr<Collective> joinFromArguments(const Arguments& arguments)
{
    ProcessGroupSettings settings;
    settings.worldSize = worldSizeFrom(arguments);
    if (settings.worldSize == 1) {
        for (const char* option : {"rank", "master", "dist-timeout"})
            if (arguments.value(option)) throw UsageError(std::string("--") + option + " is for several processes: give --world-size N too");
        return nullptr;
    }
    if (!arguments.value("rank") && !environment("RANK")) throw UsageError("--world-size needs --rank R (0 to world size - 1)");
    settings.rank = setting(arguments, "rank", "RANK", 0, 0, settings.worldSize - 1);
    if (const auto master = arguments.value("master")) {
        const size_t colon = master->rfind(':');
        if (colon == std::string::npos || colon == 0) throw UsageError("--master takes HOST:PORT, got \"" + *master + "\"");
        settings.masterHost = master->substr(0, colon);
        const std::string port = master->substr(colon + 1);
        const auto number = wholeNumberIn(port, 1, 65535);
        if (!number) throw UsageError("--master's port must be from 1 to 65535, got \"" + port + "\"");
        settings.masterPort = *number;
    } else if (const auto host = environment("MASTER_ADDR")) {
        settings.masterHost = *host;
        settings.masterPort = environmentNumber("MASTER_PORT", 29500, 1, 65535);
    } else {
        throw UsageError("--world-size needs --master HOST:PORT (rank 0's address), or $MASTER_ADDR");
    }
    settings.timeout = std::chrono::seconds(arguments.integer("dist-timeout", 1800, 1, std::numeric_limits<int>::max()));
    return joinProcessGroup(settings);
}

}  // namespace ax::cli
