#include "cli/command.h"

#include "io/model_discovery.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

using nlohmann::json;

int runModels(const Arguments& arguments)
{
    const std::filesystem::path cache = arguments.value("cache") ? std::filesystem::path(*arguments.value("cache"))
                                                                   : huggingFaceHubCache();
    const std::vector<FoundModel> models = findCachedModels(cache);
    if (arguments.flag("json")) {
        json list = json::array();
        for (const FoundModel& model : models)
            list.push_back({{"name", model.name}, {"revision", model.revision}, {"current", model.current},
                            {"folder", model.folder.string()}, {"model_type", model.modelType},
                            {"loadable", model.problem.empty()}, {"problem", model.problem}});
        std::cout << json{{"cache", cache.string()}, {"models", list}}.dump() << "\n";
        return 0;
    }
    if (models.empty()) {
        std::cout << "No models in the Hugging Face cache " << cache.string() << "\n";
        return 0;
    }
    std::cout << "Models in the Hugging Face cache " << cache.string() << " (pass the folder to --model):\n";
    for (const FoundModel& model : models) {
        std::cout << "\n" << model.name << (model.modelType.empty() ? "" : "  (" + model.modelType + ")")
                  << "  revision " << model.revision.substr(0, 12) << (model.current ? ", current" : ", older") << "\n  "
                  << model.folder.string() << "\n";
        if (!model.problem.empty()) std::cout << "  cannot be loaded: " << model.problem << "\n";
    }
    return 0;
}

}  // namespace

Command modelsCommand()
{
    return {"models", "list the models in the Hugging Face cache, with the folder to pass to --model",
            "usage: axformer models [--cache DIR] [--json]\n\n"
            "Lists every model snapshot in the Hugging Face hub cache (models--ORG--NAME/snapshots/REV):\n"
            "its name, model type, revision (\"current\" is the one refs/main names, what\n"
            "from_pretrained loads) and folder, and why it cannot be loaded when it cannot (only\n"
            "pytorch_model.bin, or weights never downloaded). Nothing is downloaded.\n\n"
            "  --cache DIR   the hub cache (default: $HF_HUB_CACHE, else $HF_HOME/hub, else\n"
            "                $XDG_CACHE_HOME/huggingface/hub, else ~/.cache/huggingface/hub)\n"
            "  --json        {\"cache\", \"models\": [{\"name\", \"revision\", \"current\", \"folder\",\n"
            "                \"model_type\", \"loadable\", \"problem\"}]}\n",
            {"json"}, {"cache"}, runModels};
}

}  // namespace ax::cli
