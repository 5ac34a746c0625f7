#include "train/pretrainer.h"

#include "common/error.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <limits>
#include <map>
#include <sstream>

namespace ax {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kIgnoreIndex = -100;
// The held-out masks do not depend on the run's seed, so runs with different seeds are scored on
// the very same masked tokens.
constexpr uint64_t kHeldOutMaskSeed = 0x5eed'0f'4e1d'0075ULL;

// Uniform draws from raw 64-bit output: std::uniform_*_distribution differ between standard
// libraries, and masks must be reproducible everywhere.
double uniform01(std::mt19937_64& rng)
{
    return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

uint64_t below(std::mt19937_64& rng, uint64_t n)
{
    return rng() % n;  // the modulo bias is below n / 2^64: irrelevant for vocabulary-sized n
}

template <typename T>
void shuffle(std::vector<T>& items, std::mt19937_64& rng)
{
    for (size_t i = items.size(); i > 1; --i) std::swap(items[i - 1], items[below(rng, i)]);
}

std::string fixed(double value, int digits)
{
    std::ostringstream text;
    text << std::fixed << std::setprecision(digits) << value;
    return text.str();
}

std::string scoreText(const MaskedLmScore& score)
{
    return "loss " + fixed(score.loss, 4) + " nats, accuracy " + fixed(100.0 * score.accuracy, 2) + "% on " +
           std::to_string(score.maskedTokens) + " masked tokens";
}

bool isBracketed(const std::string& token)
{
    return token.size() >= 2 && token.front() == '[' && token.back() == ']';
}

}  // namespace

std::vector<std::vector<int64_t>> packCorpus(const fs::path& corpus, const BertTokenizer& tokenizer, int maxSeqLength)
{
    if (maxSeqLength < 3) throw Error("the maximum sequence length must be at least 3 ([CLS] token [SEP]), got " +
                                      std::to_string(maxSeqLength));
    std::error_code error;
    if (!fs::exists(corpus, error)) failIn(corpus.string(), "corpus file not found");
    if (fs::is_directory(corpus, error)) failIn(corpus.string(), "is a folder; expected a plain-text corpus file");
    std::ifstream in(corpus, std::ios::binary);
    if (!in) failIn(corpus.string(), "cannot open the corpus file for reading");

    const size_t capacity = static_cast<size_t>(maxSeqLength) - 2;
    const int64_t cls = tokenizer.vocab().clsId(), sep = tokenizer.vocab().sepId();
    std::vector<std::vector<int64_t>> sequences;
    std::vector<int64_t> current;
    auto flush = [&] {
        if (current.empty()) return;
        std::vector<int64_t> sequence;
        sequence.reserve(current.size() + 2);
        sequence.push_back(cls);
        sequence.insert(sequence.end(), current.begin(), current.end());
        sequence.push_back(sep);
        sequences.push_back(std::move(sequence));
        current.clear();
    };

    std::string line;
    bool sawText = false;
    bool first = true;
    while (std::getline(in, line)) {
        if (first && line.compare(0, 3, "\xEF\xBB\xBF") == 0) line.erase(0, 3);
        first = false;
        if (line.find_first_not_of(" \t\r\f\v") == std::string::npos) continue;
        sawText = true;
        const std::vector<int64_t> ids = tokenizer.toIds(tokenizer.tokenize(line));
        if (ids.empty()) continue;
        if (ids.size() > capacity) {
            // Too long for any sequence: cut it; its last piece stays open for the next lines.
            flush();
            size_t begin = 0;
            for (; ids.size() - begin > capacity; begin += capacity) {
                current.assign(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                               ids.begin() + static_cast<std::ptrdiff_t>(begin + capacity));
                flush();
            }
            current.assign(ids.begin() + static_cast<std::ptrdiff_t>(begin), ids.end());
            continue;
        }
        if (current.size() + ids.size() > capacity) flush();
        current.insert(current.end(), ids.begin(), ids.end());
    }
    if (in.bad()) failIn(corpus.string(), "read error");
    flush();
    if (!sawText) failIn(corpus.string(), "the corpus is empty (no non-blank lines)");
    if (sequences.empty()) failIn(corpus.string(), "the corpus yields no tokens");
    return sequences;
}

MaskingScheme MaskingScheme::fromVocab(const Vocab& vocab)
{
    MaskingScheme scheme;
    scheme.maskId = vocab.maskId();
    scheme.padId = vocab.padId();
    scheme.special.assign(vocab.size(), false);
    for (const int64_t id : {vocab.padId(), vocab.unkId(), vocab.clsId(), vocab.sepId(), vocab.maskId()})
        scheme.special[static_cast<size_t>(id)] = true;
    for (size_t id = 0; id < vocab.size(); ++id)
        if (!scheme.special[id] && !isBracketed(vocab.token(static_cast<int64_t>(id))))
            scheme.replacements.push_back(static_cast<int64_t>(id));
    return scheme;
}

MaskedBatch maskTokens(const std::vector<std::vector<int64_t>>& sequences, const MaskingScheme& scheme,
                       double probability, std::mt19937_64& rng)
{
    if (sequences.empty()) throw Error("cannot mask an empty batch");
    if (!(probability > 0.0 && probability <= 1.0))
        throw Error("the masking probability must be in (0, 1], got " + std::to_string(probability));
    size_t length = 0;
    for (const auto& sequence : sequences) length = std::max(length, sequence.size());
    const size_t rows = sequences.size();
    std::vector<int64_t> inputs(rows * length, scheme.padId), labels(rows * length, kIgnoreIndex), mask(rows * length, 0);

    MaskedBatch batch;
    std::vector<size_t> candidates;
    for (size_t row = 0; row < rows; ++row) {
        const auto& sequence = sequences[row];
        int64_t* rowInputs = inputs.data() + row * length;
        int64_t* rowLabels = labels.data() + row * length;
        candidates.clear();
        for (size_t i = 0; i < sequence.size(); ++i) {
            const int64_t id = sequence[i];
            if (id < 0 || static_cast<size_t>(id) >= scheme.special.size())
                throw Error("token id " + std::to_string(id) + " is outside the vocabulary of " +
                            std::to_string(scheme.special.size()) + " tokens");
            rowInputs[i] = id;
            mask[row * length + i] = 1;
            if (!scheme.special[static_cast<size_t>(id)]) candidates.push_back(i);
        }
        batch.realTokens += static_cast<int64_t>(sequence.size());
        if (candidates.empty()) continue;
        const size_t n = candidates.size();
        const size_t chosen = std::min(n, std::max<size_t>(1, static_cast<size_t>(std::llround(probability * double(n)))));
        for (size_t j = 0; j < chosen; ++j) std::swap(candidates[j], candidates[j + below(rng, n - j)]);
        for (size_t j = 0; j < chosen; ++j) {
            const size_t position = candidates[j];
            rowLabels[position] = sequence[position];
            const double draw = uniform01(rng);
            if (draw < 0.8 || (draw < 0.9 && scheme.replacements.empty()))
                rowInputs[position] = scheme.maskId;
            else if (draw < 0.9)
                rowInputs[position] = scheme.replacements[below(rng, scheme.replacements.size())];
        }
        batch.maskedTokens += static_cast<int64_t>(chosen);
    }
    const auto shape = std::vector<int64_t>{static_cast<int64_t>(rows), static_cast<int64_t>(length)};
    batch.inputIds = torch::tensor(inputs, torch::kInt64).view(shape);
    batch.labels = torch::tensor(labels, torch::kInt64).view(shape);
    batch.attentionMask = torch::tensor(mask, torch::kInt64).view(shape);
    return batch;
}

torch::Tensor maskedLmLogitsAt(BertModelImpl& model, const torch::Tensor& lastHidden, const torch::Tensor& select)
{
    if (!model.heads().maskedLm) throw Error("this model has no masked-LM head (cls.predictions.*)");
    std::map<std::string, torch::Tensor> weights;
    for (const auto& [name, tensor] : model.namedWeights()) weights[name] = tensor;
    const torch::Tensor hidden = lastHidden.index({select});  // [M, H]
    torch::Tensor transformed = torch::linear(hidden, weights.at("cls.predictions.transform.dense.weight"),
                                              weights.at("cls.predictions.transform.dense.bias"));
    transformed = applyActivation(model.config().activation, transformed);
    transformed = torch::layer_norm(transformed, {hidden.size(-1)}, weights.at("cls.predictions.transform.LayerNorm.weight"),
                                    weights.at("cls.predictions.transform.LayerNorm.bias"), model.config().layerNormEps);
    // The decoder is tied to the word embeddings, as in the model's own head.
    return torch::matmul(transformed, weights.at("bert.embeddings.word_embeddings.weight").t()) +
           weights.at("cls.predictions.bias");
}

namespace {

ModelInput inputOf(const MaskedBatch& batch, const torch::Device& device)
{
    ModelInput input;
    input.inputIds = batch.inputIds.to(device);
    input.attentionMask = batch.attentionMask.to(device);
    return input;
}

torch::Device deviceOf(const BertModelImpl& model)
{
    return model.namedWeights().front().second.device();
}

}  // namespace

MaskedLmScore evaluateMaskedLm(BertModelImpl& model, const std::vector<MaskedBatch>& batches, const CancelToken* cancel,
                               ProgressObserver* observer)
{
    const bool wasTraining = model.is_training();
    model.eval();
    torch::NoGradGuard noGrad;
    const torch::Device device = deviceOf(model);
    const ProgressClock clock;
    MaskedLmScore score;
    double lossSum = 0;
    int64_t correct = 0;
    for (size_t b = 0; b < batches.size(); ++b) {
        throwIfCancelled(cancel);
        const MaskedBatch& batch = batches[b];
        const torch::Tensor labels = batch.labels.to(device);
        const torch::Tensor select = labels.ne(kIgnoreIndex);
        const BertOutput output = model.forward(inputOf(batch, device));
        const torch::Tensor logits = maskedLmLogitsAt(model, output.lastHidden, select).to(torch::kFloat32);
        const torch::Tensor targets = labels.masked_select(select);
        lossSum += torch::nn::functional::cross_entropy(
                       logits, targets, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                       .item<double>();
        correct += logits.argmax(1).eq(targets).sum().item<int64_t>();
        score.maskedTokens += targets.size(0);
        if (observer)
            observer->onProgress(clock.at("evaluate", static_cast<int64_t>(b + 1), static_cast<int64_t>(batches.size())));
    }
    if (score.maskedTokens > 0) {
        score.loss = lossSum / static_cast<double>(score.maskedTokens);
        score.accuracy = static_cast<double>(correct) / static_cast<double>(score.maskedTokens);
    } else {
        score.loss = score.accuracy = std::numeric_limits<double>::quiet_NaN();
    }
    model.train(wasTraining);
    return score;
}

PretrainReport pretrain(BertModelImpl& model, const std::vector<std::vector<int64_t>>& sequences, const Vocab& vocab,
                        const PretrainSettings& settings, ProgressObserver* observer, const CancelToken* cancel)
{
    const ProgressClock overall;
    const BertConfig& config = model.config();
    if (!model.heads().maskedLm) throw Error("pretraining needs a model with a masked-LM head (cls.predictions.*)");
    if (static_cast<int64_t>(vocab.size()) != config.vocabSize)
        failIn(vocab.source(), "has " + std::to_string(vocab.size()) + " tokens but the model's vocab_size is " +
                                   std::to_string(config.vocabSize));
    if (sequences.empty()) throw Error("nothing to pretrain on: no sequences");
    if (settings.batchSize < 1) throw Error("the batch size must be at least 1");
    if (settings.steps < 0 || (settings.steps == 0 && settings.epochs < 1))
        throw Error("pretraining needs a positive number of steps or epochs");
    if (!(settings.heldOutFraction >= 0.0 && settings.heldOutFraction < 1.0))
        throw Error("the held-out fraction must be in [0, 1), got " + std::to_string(settings.heldOutFraction));
    for (const auto& sequence : sequences)
        if (sequence.empty() || static_cast<int64_t>(sequence.size()) > config.maxPositions)
            throw Error("a sequence of " + std::to_string(sequence.size()) + " tokens does not fit the model's " +
                        std::to_string(config.maxPositions) + " positions");

    PretrainReport report;
    report.sequences = sequences.size();
    size_t heldOutCount = 0;
    if (settings.heldOutFraction > 0 && sequences.size() >= 2)
        heldOutCount = std::clamp<size_t>(static_cast<size_t>(std::llround(settings.heldOutFraction * double(sequences.size()))),
                                          1, sequences.size() - 1);
    const size_t trainCount = sequences.size() - heldOutCount;
    report.trainSequences = trainCount;
    report.heldOutSequences = heldOutCount;

    const MaskingScheme scheme = MaskingScheme::fromVocab(vocab);
    const size_t batchSize = static_cast<size_t>(settings.batchSize);
    std::vector<MaskedBatch> heldOut;
    {
        std::mt19937_64 heldOutRng(kHeldOutMaskSeed);
        for (size_t begin = trainCount; begin < sequences.size(); begin += batchSize) {
            const size_t end = std::min(sequences.size(), begin + batchSize);
            const std::vector<std::vector<int64_t>> rows(sequences.begin() + static_cast<std::ptrdiff_t>(begin),
                                                         sequences.begin() + static_cast<std::ptrdiff_t>(end));
            heldOut.push_back(maskTokens(rows, scheme, settings.maskProbability, heldOutRng));
        }
    }
    const double notMeasured = std::numeric_limits<double>::quiet_NaN();
    report.initialHeldOutLoss = report.initialHeldOutAccuracy = notMeasured;
    report.heldOutLoss = report.heldOutAccuracy = notMeasured;
    if (!heldOut.empty() && settings.evaluateBeforeTraining) {
        const MaskedLmScore before = evaluateMaskedLm(model, heldOut, cancel, observer);
        report.initialHeldOutLoss = before.loss;
        report.initialHeldOutAccuracy = before.accuracy;
        report.heldOutMaskedTokens = before.maskedTokens;
        if (observer) observer->onMessage("held-out before training: " + scoreText(before));
    }

    const int64_t stepsPerEpoch = static_cast<int64_t>((trainCount + batchSize - 1) / batchSize);
    const int64_t totalSteps = settings.steps > 0 ? settings.steps : stepsPerEpoch * settings.epochs;
    const int64_t totalEpochs = (totalSteps + stepsPerEpoch - 1) / stepsPerEpoch;
    model.seedDropout(settings.seed);
    std::mt19937_64 rng(settings.seed);
    Optimization optimization(model, settings.optimizer, totalSteps);
    const torch::Device device = deviceOf(model);
    model.train();

    std::vector<size_t> order(trainCount);
    for (size_t i = 0; i < trainCount; ++i) order[i] = i;
    std::vector<double> losses;
    losses.reserve(static_cast<size_t>(totalSteps));
    double window = 0;  // the sum of the last kWindow losses, shown in the progress detail
    constexpr size_t kWindow = 20;
    const ProgressClock clock;
    std::vector<std::vector<int64_t>> rows;
    for (int64_t step = 0; step < totalSteps; ++step) {
        const int64_t batchInEpoch = step % stepsPerEpoch;
        if (batchInEpoch == 0) shuffle(order, rng);
        throwIfCancelled(cancel);
        const size_t begin = static_cast<size_t>(batchInEpoch) * batchSize;
        const size_t end = std::min(trainCount, begin + batchSize);
        rows.clear();
        for (size_t i = begin; i < end; ++i) rows.push_back(sequences[order[i]]);
        const MaskedBatch batch = maskTokens(rows, scheme, settings.maskProbability, rng);
        report.tokensSeen += batch.realTokens;
        if (batch.maskedTokens == 0) continue;  // only special tokens (say, lines of [UNK]): nothing to learn

        const torch::Tensor labels = batch.labels.to(device);
        const torch::Tensor select = labels.ne(kIgnoreIndex);
        const BertOutput output = model.forward(inputOf(batch, device));
        const torch::Tensor logits = maskedLmLogitsAt(model, output.lastHidden, select);
        const torch::Tensor loss = torch::nn::functional::cross_entropy(logits.to(torch::kFloat32), labels.masked_select(select));
        const double value = loss.item<double>();
        if (!std::isfinite(value))
            throw Error("the training loss became " + std::to_string(value) + " at step " + std::to_string(step + 1) +
                        " (try a lower learning rate)");
        loss.backward();
        const double rate = optimization.step();
        losses.push_back(value);
        window += value - (losses.size() > kWindow ? losses[losses.size() - 1 - kWindow] : 0.0);
        if (observer) {
            std::ostringstream detail;
            detail << "epoch " << step / stepsPerEpoch + 1 << "/" << totalEpochs << " loss "
                   << fixed(window / double(std::min(kWindow, losses.size())), 3) << " lr "
                   << std::scientific << std::setprecision(2) << rate;
            observer->onProgress(clock.at("pretrain", step + 1, totalSteps, detail.str()));
        }
    }
    report.steps = totalSteps;
    const size_t tail = std::min(losses.size(), std::max<size_t>(1, losses.size() / 10));
    double tailSum = 0;
    for (size_t i = losses.size() - tail; i < losses.size(); ++i) tailSum += losses[i];
    report.trainLoss = tail > 0 ? tailSum / static_cast<double>(tail) : notMeasured;

    if (!heldOut.empty()) {
        const MaskedLmScore after = evaluateMaskedLm(model, heldOut, cancel, observer);
        report.heldOutLoss = after.loss;
        report.heldOutAccuracy = after.accuracy;
        report.heldOutMaskedTokens = after.maskedTokens;
        if (observer) observer->onMessage("held-out after training: " + scoreText(after));
    }
    model.eval();
    report.seconds = overall.seconds();
    return report;
}

}  // namespace ax
