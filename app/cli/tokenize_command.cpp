#include "cli/command.h"

#include "text/bert_tokenizer.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

int runTokenize(const Arguments& arguments)
{
    const BertTokenizer tokenizer(Vocab::fromFile(arguments.required("vocab")), !arguments.flag("cased"));
    std::string line;
    size_t lineNumber = 0;
    while (std::getline(std::cin, line)) {
        ++lineNumber;
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        nlohmann::json request;
        try {
            request = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& error) {  // parse_error, or out_of_range for a number too large
            throw std::runtime_error("stdin line " + std::to_string(lineNumber) + ": not valid JSON: " + error.what());
        }
        if (!request.is_object() || !request.contains("text") || !request["text"].is_string())
            throw std::runtime_error("stdin line " + std::to_string(lineNumber) + ": expected {\"text\": \"...\"}");
        const auto tokens = tokenizer.tokenize(request["text"].get<std::string>());
        const nlohmann::json reply = {{"tokens", tokens}, {"ids", tokenizer.toIds(tokens)}};
        std::cout << reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    }
    return 0;
}

}  // namespace

Command tokenizeCommand()
{
    return {"tokenize", "WordPiece-tokenize JSON lines from stdin, exactly as Hugging Face's BertTokenizer",
            "usage: axformer tokenize --vocab FILE [--cased]\n\n"
            "Reads JSON lines {\"text\": ...} from stdin and writes {\"tokens\": [...], \"ids\": [...]} per line,\n"
            "in the same order. Lower-cases and strips accents unless --cased. No [CLS]/[SEP] are added.\n",
            {"cased"}, {"vocab"}, runTokenize};
}

}  // namespace ax::cli
