#include "cli/command.h"
#include "cli/progress_printer.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "model/model_folder.h"
#include "train/pretrainer.h"

#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <climits>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <map>
#include <random>
#include <sstream>

namespace ax::cli {

namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The lower-casing mode of a vocabulary: --cased wins; otherwise a tokenizer_config.json beside a
// vocab.txt decides, as when loading a model folder; otherwise uncased, BERT's default.
bool lowerCaseFor(const fs::path& vocabFile, bool cased)
{
    if (cased) return false;
    if (vocabFile.filename() == "vocab.txt" && fs::exists(vocabFile.parent_path() / "tokenizer_config.json"))
        return BertTokenizer::fromModelFolder(vocabFile.parent_path()).lowerCase();
    return true;
}

fs::path vocabularyFile(const Arguments& arguments, const fs::path& folder, const std::string& what)
{
    if (const auto given = arguments.value("vocab")) return *given;
    const fs::path beside = folder / "vocab.txt";
    if (!fs::exists(beside)) failIn(beside.string(), "not found: give the vocabulary with --vocab FILE (" + what + ")");
    return beside;
}

void requireVocabSize(const BertConfig& config, const Vocab& vocab, const fs::path& configFile)
{
    if (static_cast<int64_t>(vocab.size()) != config.vocabSize)
        failIn(configFile.string(), "vocab_size is " + std::to_string(config.vocabSize) + " but the vocabulary " +
                                        vocab.source() + " has " + std::to_string(vocab.size()) + " tokens");
}

double initializerRange(const BertConfig& config)
{
    const auto it = config.extraFields.find("initializer_range");
    return it != config.extraFields.end() && it->is_number() && it->get<double>() > 0 ? it->get<double>() : 0.02;
}

BertConfig maskedLmConfig(BertConfig config)
{
    config.architectures = {config.architecturePrefix() + "ForMaskedLM"};
    config.id2label.clear();
    config.extraFields.erase("finetuning_task");
    return config;
}

// A continued model keeps the encoder and pooler of the folder; task heads (classifier, QA) are
// dropped because pretraining does not train them, and a folder without a masked-LM head gets a
// fresh one, N(0, initializer_range) from the seed.
BertModel modelForPretraining(const BertModel& loaded, uint64_t seed, ProgressObserver& printer)
{
    const ModelHeads& had = loaded->heads();
    if (had.maskedLm && had.numLabels == 0 && !had.questionAnswering) return loaded;
    ModelHeads heads;
    heads.pooler = had.pooler;
    heads.maskedLm = true;
    BertModel model(maskedLmConfig(loaded->config()), heads);
    model->initialiseWeights(seed, initializerRange(loaded->config()));
    torch::NoGradGuard noGrad;
    std::map<std::string, torch::Tensor> source;
    for (const auto& [name, tensor] : loaded->namedWeights()) source[name] = tensor;
    for (auto& [name, tensor] : model->namedWeights())
        if (const auto found = source.find(name); found != source.end()) tensor.copy_(found->second);
    if (!had.maskedLm) printer.onMessage("the model has no masked-LM head: starting a new one");
    if (had.numLabels > 0 || had.questionAnswering)
        printer.onMessage("task heads (classifier / question answering) are not kept in the pretrained model");
    return model;
}

// vocab.txt, tokenizer_config.json and special_tokens_map.json in a temporary folder, for
// saveModelFolder to copy into the output as part of its all-or-nothing write.
fs::path writeTokenizerFiles(const fs::path& vocabFile, bool lowerCase, int maxPositions)
{
    std::random_device device;
    const fs::path folder = fs::temp_directory_path() / ("axformer-pretrain-tokenizer-" + std::to_string(device()));
    fs::create_directories(folder);
    fs::copy_file(vocabFile, folder / "vocab.txt");
    const json config = {{"do_lower_case", lowerCase}, {"model_max_length", maxPositions}, {"tokenizer_class", "BertTokenizer"}};
    writeFileAtomically(folder / "tokenizer_config.json", config.dump(2) + "\n");
    const json special = {{"unk_token", "[UNK]"}, {"sep_token", "[SEP]"}, {"pad_token", "[PAD]"},
                          {"cls_token", "[CLS]"}, {"mask_token", "[MASK]"}};
    writeFileAtomically(folder / "special_tokens_map.json", special.dump(2) + "\n");
    return folder;
}

json reportJson(const PretrainReport& report, const fs::path& out)
{
    return {{"steps", report.steps},
            {"tokens_seen", report.tokensSeen},
            {"train_loss", report.trainLoss},
            {"initial_held_out_loss", report.initialHeldOutLoss},
            {"initial_held_out_accuracy", report.initialHeldOutAccuracy},
            {"held_out_loss", report.heldOutLoss},
            {"held_out_accuracy", report.heldOutAccuracy},
            {"held_out_masked_tokens", report.heldOutMaskedTokens},
            {"seconds", report.seconds},
            {"sequences", report.sequences},
            {"train_sequences", report.trainSequences},
            {"held_out_sequences", report.heldOutSequences},
            {"out", out.string()}};
}

int runPretrain(const Arguments& arguments)
{
    const fs::path corpus = arguments.required("corpus");
    const fs::path out = arguments.required("out");
    const auto configArgument = arguments.value("config");
    const auto modelArgument = arguments.value("model");
    if (configArgument.has_value() == modelArgument.has_value())
        throw UsageError("give either --config FILE (a new model) or --model DIR (continue pretraining one)");

    PretrainSettings settings;
    settings.epochs = arguments.integer("epochs", settings.epochs, 1, 1000000);
    settings.steps = arguments.integer("steps", 0, 0, INT_MAX);
    settings.batchSize = arguments.integer("batch-size", settings.batchSize, 1, 1 << 16);
    settings.seed = static_cast<uint64_t>(arguments.integer("seed", static_cast<int>(settings.seed), 0, INT_MAX));
    settings.optimizer.learningRate = arguments.number("lr", settings.optimizer.learningRate, 0.0, 10.0);
    settings.heldOutFraction = arguments.number("held-out", settings.heldOutFraction, 0.0, 0.5);

    // Cheap checks first, before a large model is built or a long corpus tokenized.
    if (!fs::exists(corpus)) failIn(corpus.string(), "corpus file not found");
    // Refuse to replace a folder that is not a model folder: saving swaps the whole folder.
    if (fs::is_directory(out) && !fs::is_empty(out) && !fs::exists(out / "config.json"))
        failIn(out.string(), "exists and is not a model folder; refusing to replace it (choose another --out)");

    ProgressPrinter printer(arguments.flag("quiet"));
    BertModel model{nullptr};
    LoadedModel loaded;
    fs::path vocabFile, configSource;
    if (configArgument) {
        configSource = *configArgument;
        const BertConfig config = maskedLmConfig(BertConfig::fromFile(configSource));
        vocabFile = vocabularyFile(arguments, configSource.parent_path(), "the config's folder has no vocab.txt");
        requireVocabSize(config, Vocab::fromFile(vocabFile), configSource);
        ModelHeads heads;
        heads.maskedLm = true;
        model = BertModel(config, heads);
        model->initialiseWeights(settings.seed, initializerRange(config));
    } else {
        loaded = loadModelFolder(*modelArgument);
        configSource = fs::path(*modelArgument) / "config.json";
        vocabFile = vocabularyFile(arguments, *modelArgument, "the model folder has no vocab.txt");
        requireVocabSize(loaded.model->config(), Vocab::fromFile(vocabFile), configSource);
        model = modelForPretraining(loaded.model, settings.seed, printer);
    }
    const BertConfig& config = model->config();
    settings.maxSeqLength = arguments.integer("max-seq-len", std::min(settings.maxSeqLength, config.maxPositions), 3, 1 << 20);
    if (settings.maxSeqLength > config.maxPositions)
        failIn(configSource.string(), "max_position_embeddings is " + std::to_string(config.maxPositions) +
                                          ", too few for --max-seq-len " + std::to_string(settings.maxSeqLength));

    const bool lowerCase = lowerCaseFor(vocabFile, arguments.flag("cased"));
    const BertTokenizer tokenizer(Vocab::fromFile(vocabFile), lowerCase);
    const auto sequences = packCorpus(corpus, tokenizer, settings.maxSeqLength);
    size_t tokens = 0;
    for (const auto& sequence : sequences) tokens += sequence.size();
    printer.onMessage("corpus " + corpus.string() + ": " + std::to_string(sequences.size()) + " sequences, " +
                      std::to_string(tokens) + " tokens; model: " + std::to_string(model->parameterCount()) + " parameters");

    const PretrainReport report = pretrain(*model, sequences, tokenizer.vocab(), settings, &printer);

    const fs::path tokenizerFiles = writeTokenizerFiles(vocabFile, lowerCase, config.maxPositions);
    try {
        saveModelFolder(*model, out, tokenizerFiles);
    } catch (...) {
        std::error_code ignored;
        fs::remove_all(tokenizerFiles, ignored);
        throw;
    }
    std::error_code ignored;
    fs::remove_all(tokenizerFiles, ignored);

    const json result = reportJson(report, out);
    json record = result;
    record["corpus"] = corpus.string();
    record["settings"] = {{"max_seq_length", settings.maxSeqLength}, {"batch_size", settings.batchSize},
                          {"learning_rate", settings.optimizer.learningRate}, {"weight_decay", settings.optimizer.weightDecay},
                          {"adam_epsilon", settings.optimizer.adamEpsilon}, {"warmup_fraction", settings.optimizer.warmupFraction},
                          {"max_grad_norm", settings.optimizer.maxGradNorm}, {"mask_probability", settings.maskProbability},
                          {"held_out_fraction", settings.heldOutFraction}, {"seed", settings.seed},
                          {"epochs", settings.steps > 0 ? json() : json(settings.epochs)},
                          {"do_lower_case", lowerCase}};
    record["started_from"] = configArgument ? json{{"config", *configArgument}} : json{{"model", *modelArgument}};
    writeFileAtomically(out / "pretrain.json", record.dump(2) + "\n");

    if (arguments.flag("json")) {
        std::cout << result.dump() << "\n";
        return 0;
    }
    auto nats = [](double value) {
        std::ostringstream text;
        if (std::isnan(value)) return std::string("n/a");
        text << std::fixed << std::setprecision(4) << value;
        return text.str();
    };
    auto percent = [](double value) {
        std::ostringstream text;
        if (std::isnan(value)) return std::string("n/a");
        text << std::fixed << std::setprecision(2) << 100.0 * value << "%";
        return text.str();
    };
    std::cout << "pretrained " << report.steps << " steps on " << report.trainSequences << " sequences ("
              << report.tokensSeen << " tokens seen) in " << formatDuration(report.seconds) << "\n"
              << "train loss      " << nats(report.trainLoss) << "\n"
              << "held-out loss   " << nats(report.initialHeldOutLoss) << " -> " << nats(report.heldOutLoss) << " ("
              << report.heldOutMaskedTokens << " masked tokens of " << report.heldOutSequences << " sequences)\n"
              << "held-out acc    " << percent(report.initialHeldOutAccuracy) << " -> " << percent(report.heldOutAccuracy) << "\n"
              << "saved           " << out.string() << "\n";
    return 0;
}

}  // namespace

Command pretrainCommand()
{
    return {"pretrain", "masked-LM pretraining of a new or existing model on a plain-text corpus",
            "usage: axformer pretrain --corpus FILE (--config FILE | --model DIR) --out DIR [--vocab FILE]\n"
            "                         [--cased] [--epochs N] [--steps N] [--batch-size N] [--lr X]\n"
            "                         [--max-seq-len N] [--held-out X] [--seed N] [--json]\n\n"
            "Tokenizes FILE line by line (blank lines skipped) and packs the lines into [CLS] ... [SEP]\n"
            "sequences of up to --max-seq-len tokens (default 128, or the model's positions if fewer).\n"
            "The last --held-out fraction of them (default 0.05) is kept aside and scored before and after\n"
            "training with fixed masks.\n"
            "Training: 15% of the tokens masked (80% [MASK], 10% random, 10% unchanged), fresh masks every\n"
            "batch, cross-entropy on the masked tokens, dropout on, AdamW (weight decay 0.01, eps 1e-6),\n"
            "10% linear warm-up then linear decay, gradient clipping at 1. --lr defaults to 1e-4, --batch-size\n"
            "to 32; --steps N fixes the number of optimiser steps, otherwise --epochs (default 1) decides.\n"
            "A small model started from scratch learns much faster with a larger rate (1e-3 for hidden 128;\n"
            "axbert-mini, hidden 256, used 5e-4).\n\n"
            "--config FILE   a new model of that shape (config.json), randomly initialised from --seed\n"
            "                (default 42); its vocab_size must equal the vocabulary's size. The vocabulary is\n"
            "                --vocab FILE, or vocab.txt beside the config.\n"
            "--model DIR     continue pretraining a model folder; its masked-LM head is kept, or a new one\n"
            "                is started if it has none; task heads (classifier, QA) are not kept.\n"
            "--cased         do not lower-case (default: uncased, or the tokenizer_config.json beside vocab.txt)\n\n"
            "Writes DIR as a model folder (config.json, model.safetensors with the masked-LM head, vocab.txt,\n"
            "tokenizer_config.json, special_tokens_map.json) that `axformer fill-mask --model DIR` can use,\n"
            "and DIR/pretrain.json with the report. --json prints the report as one JSON object: steps,\n"
            "tokens_seen, train_loss (mean of the last 10% of steps), held_out_loss, held_out_accuracy,\n"
            "initial_held_out_loss, initial_held_out_accuracy, seconds, sequences, out.\n",
            {"json", "cased"},
            {"corpus", "config", "model", "out", "vocab", "epochs", "steps", "batch-size", "lr", "max-seq-len", "seed",
             "held-out"},
            runPretrain};
}

}  // namespace ax::cli
