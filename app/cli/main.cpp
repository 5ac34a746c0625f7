// axformer: the headless command-line tool (DESIGN.md §3). Exit codes: 0 success, 1 bad input or
// failure, 2 bad usage.

#include "cli/command.h"
#include "common/fast_runtime.h"
#include "model/attention_products.h"
#include "model/dense_products.h"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <iostream>
#include <map>

namespace {

const char* const kVersion = AXFORMER_VERSION;

std::vector<ax::cli::Command> allCommands()
{
    return {ax::cli::tokenizeCommand(), ax::cli::inspectCommand(), ax::cli::infoCommand(), ax::cli::modelsCommand(), ax::cli::fillMaskCommand(),
            ax::cli::finetuneCommand(), ax::cli::evalCommand(), ax::cli::searchCommand(), ax::cli::applyCommand(), ax::cli::pretrainCommand(), ax::cli::scoreCommand(),
            ax::cli::benchCommand(), ax::cli::demoCommand()};
}

void printOverview(std::ostream& out)
{
    out << "usage: axformer <command> [options]\n\n"
           "Accuracy-driven approximation of fine-tuned BERT models (AxFormer).\n\ncommands:\n";
    for (const auto& command : allCommands()) {
        out << "  " << command.name << std::string(12 - std::min<size_t>(11, command.name.size()), ' ')
            << command.summary << "\n";
    }
    out << "\nRun `axformer <command> --help` for a command's options. `axformer --version` prints the version.\n"
           "Exit codes: 0 success, 1 bad input or failure, 2 bad usage.\n";
}

// 2 for OpenBLAS's AVX-512 kernels, 1 for its AVX2 ones, 0 for the rest.
int blasCoreLevel(std::string core)
{
    std::transform(core.begin(), core.end(), core.begin(), [](unsigned char c) { return std::tolower(c); });
    if (core == "skylakex" || core == "cooperlake" || core == "sapphirerapids") return 2;
    return ax::isFastBlasCore(core) ? 1 : 0;
}

// The version, the BLAS kernels and the attention products' engine in use (`axformer --version`,
// or after any command). A user's
// OPENBLAS_CORETYPE is always kept; when it names kernels below what this CPU runs, say so (a
// BERT-base forward ran 1.35-1.5x slower on Haswell's than on SkylakeX's on an AVX-512 machine).
int printVersion()
{
    const std::string core = ax::loadedBlasCore();
    std::cout << "axformer " << kVersion << "\n"
              << "BLAS: " << (core.empty() ? std::string("not OpenBLAS") : "OpenBLAS, " + core + " kernels") << "\n"
              << "Attention products (float32): " << ax::attentionProductsEngine(torch::kFloat32) << "\n"
              << "Dense projections (float32): " << ax::denseProductsEngine(torch::kFloat32) << "\n";
    const char* chosen = std::getenv("OPENBLAS_CORETYPE");
    const std::string best = ax::detectOpenBlasCoreType();
    if (chosen && !core.empty() && !best.empty() && blasCoreLevel(core) < blasCoreLevel(best))
        std::cout << "note: OPENBLAS_CORETYPE=" << chosen << " is set; this CPU can run OpenBLAS's " << best
                  << " kernels, which are faster (unset it and axformer chooses)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv)
{
    ax::ensureFastRuntime(argc, argv);
    const std::vector<std::string> words(argv + 1, argv + argc);
    if (words.empty() || words[0] == "--help" || words[0] == "-h" || words[0] == "help") {
        printOverview(words.empty() ? std::cerr : std::cout);
        return words.empty() ? 2 : 0;
    }
    if (words[0] == "--version") return printVersion();
    for (auto& command : allCommands()) {
        if (command.name != words[0]) continue;
        const std::vector<std::string> rest(words.begin() + 1, words.end());
        for (const auto& word : rest) {
            if (word == "--help" || word == "-h") {
                std::cout << command.usage;
                return 0;
            }
            if (word == "--version") return printVersion();
        }
        try {
            ax::cli::addCommonOptions(command);
            const ax::cli::Arguments arguments(rest, command.flags, command.options);
            ax::cli::applyThreadSetting(arguments);
            return command.run(arguments);
        } catch (const ax::cli::UsageError& error) {
            std::cerr << "axformer " << command.name << ": " << error.what() << "\n"
                      << "Run `axformer " << command.name << " --help` for usage.\n";
            return 2;
        } catch (const std::exception& error) {
            std::cerr << "axformer " << command.name << ": error: " << error.what() << "\n";
            return 1;
        }
    }
    std::cerr << "axformer: unknown command \"" << words[0] << "\"\n\n";
    printOverview(std::cerr);
    return 2;
}
