#include "data/squad.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/json_file.h"
#include "text/unicode_text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <numeric>
#include <unordered_map>

namespace ax {

namespace {

using nlohmann::json;

// Resolves "what" of a JSON node or fails naming the file, where the node is, and what it should be.
class SquadParser {
public:
    SquadParser(std::string file, bool strictAnswers) : m_file(std::move(file)), m_strict(strictAnswers) {}

    std::vector<SquadQuestion> parse(const json& root)
    {
        if (!root.is_object()) fail("the top level", "a JSON object with \"data\"");
        const json& data = member(root, "data", "the top level");
        if (!data.is_array()) fail("\"data\"", "an array of articles");
        for (size_t a = 0; a < data.size(); ++a) {
            const std::string articlePath = "data[" + std::to_string(a) + "]";
            const json& article = data[a];
            if (!article.is_object()) fail(articlePath, "an object with \"paragraphs\"");
            std::string title;
            if (const auto it = article.find("title"); it != article.end()) {
                if (!it->is_string()) fail(articlePath + ".title", "a string");
                title = it->get<std::string>();
            }
            const json& paragraphs = member(article, "paragraphs", articlePath);
            if (!paragraphs.is_array()) fail(articlePath + ".paragraphs", "an array");
            for (size_t p = 0; p < paragraphs.size(); ++p)
                parseParagraph(paragraphs[p], articlePath + ".paragraphs[" + std::to_string(p) + "]", title);
        }
        return std::move(m_questions);
    }

private:
    [[noreturn]] void fail(const std::string& where, const std::string& expected) const
    {
        failIn(m_file, where + ": expected " + expected);
    }

    const json& member(const json& object, const char* name, const std::string& where) const
    {
        const auto it = object.find(name);
        if (it == object.end()) failIn(m_file, where + ": missing \"" + name + "\"");
        return *it;
    }

    std::string stringMember(const json& object, const char* name, const std::string& where) const
    {
        const json& value = member(object, name, where);
        if (!value.is_string()) fail(where + "." + name, "a string");
        return value.get<std::string>();
    }

    void parseParagraph(const json& paragraph, const std::string& where, const std::string& title)
    {
        if (!paragraph.is_object()) fail(where, "an object with \"context\" and \"qas\"");
        const std::string context = stringMember(paragraph, "context", where);
        if (context.empty()) failIn(m_file, where + ".context: empty");
        std::vector<size_t> byteOfChar;   // Python str index -> byte offset, plus the end
        unicode::decodeUtf8(context, &byteOfChar);
        const json& qas = member(paragraph, "qas", where);
        if (!qas.is_array()) fail(where + ".qas", "an array of questions");
        for (size_t q = 0; q < qas.size(); ++q) {
            const std::string qaPath = where + ".qas[" + std::to_string(q) + "]";
            const json& qa = qas[q];
            if (!qa.is_object()) fail(qaPath, "an object with \"id\", \"question\" and \"answers\"");
            SquadQuestion question;
            question.id = stringMember(qa, "id", qaPath);
            const std::string named = qaPath + " (id " + question.id + ")";
            if (question.id.empty()) failIn(m_file, qaPath + ".id: empty");
            if (const auto [it, inserted] = m_seen.emplace(question.id, qaPath); !inserted)
                failIn(m_file, named + ": the id repeats " + it->second);
            question.question = stringMember(qa, "question", named);
            if (question.question.find_first_not_of(" \t\r\n") == std::string::npos)
                failIn(m_file, named + ": empty question");
            if (const auto it = qa.find("is_impossible"); it != qa.end() && it->is_boolean() && it->get<bool>())
                failIn(m_file, named + ": an unanswerable SQuAD 2.0 question; only SQuAD v1.1 is supported");
            const json& answers = member(qa, "answers", named);
            if (!answers.is_array()) fail(named + ".answers", "an array");
            for (size_t k = 0; k < answers.size(); ++k)
                parseAnswer(answers[k], named + ".answers[" + std::to_string(k) + "]", context, byteOfChar, question);
            question.answerStart = question.answerStarts.empty() ? -1 : question.answerStarts.front();
            question.context = context;
            question.title = title;
            m_questions.push_back(std::move(question));
        }
    }

    void parseAnswer(const json& answer, const std::string& where, const std::string& context,
                     const std::vector<size_t>& byteOfChar, SquadQuestion& question) const
    {
        if (!answer.is_object()) fail(where, "an object with \"text\" and \"answer_start\"");
        const std::string text = stringMember(answer, "text", where);
        const json& start = member(answer, "answer_start", where);
        if (!start.is_number_integer()) fail(where + ".answer_start", "an integer");
        const int64_t startChar = start.get<int64_t>();
        const size_t chars = byteOfChar.size() - 1;
        const size_t textChars = unicode::decodeUtf8(text).size();
        if (startChar < 0 || static_cast<size_t>(startChar) + textChars > chars)
            failIn(m_file, where + ": the answer (" + std::to_string(textChars) + " characters at " +
                               std::to_string(startChar) + ") does not fit in the context of " +
                               std::to_string(chars) + " characters");
        const size_t begin = byteOfChar[static_cast<size_t>(startChar)];
        const size_t end = byteOfChar[static_cast<size_t>(startChar) + textChars];
        if (m_strict) {
            if (text.empty()) failIn(m_file, where + ": empty answer text");
            if (context.compare(begin, end - begin, text) != 0)
                failIn(m_file, where + ": the answer text \"" + text + "\" is not the context at answer_start " +
                                   std::to_string(startChar) + " (\"" + context.substr(begin, end - begin) +
                                   "\"); training needs them to agree");
        }
        question.answers.push_back(text);
        question.answerStarts.push_back(static_cast<int>(begin));
    }

    std::string m_file;
    bool m_strict;
    std::vector<SquadQuestion> m_questions;
    std::unordered_map<std::string, std::string> m_seen;
};

struct WindowSpan {
    size_t start = 0, length = 0;
};

// HF's _check_is_max_context: the window where the token has the most context on its shorter side.
bool isMaxContext(const std::vector<WindowSpan>& windows, size_t current, size_t position)
{
    double bestScore = -1;
    size_t bestWindow = 0;
    for (size_t w = 0; w < windows.size(); ++w) {
        const WindowSpan& window = windows[w];
        const size_t end = window.start + window.length - 1;
        if (position < window.start || position > end) continue;
        const double score = static_cast<double>(std::min(position - window.start, end - position)) +
                             0.01 * static_cast<double>(window.length);
        if (score > bestScore) {
            bestScore = score;
            bestWindow = w;
        }
    }
    return bestWindow == current;
}

// Positions of the n largest values among the first `length`, best first, ties by position.
std::vector<int> bestIndexes(const std::vector<float>& logits, size_t length, int n)
{
    std::vector<int> order(std::min(length, logits.size()));
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](int a, int b) { return logits[a] > logits[b]; });
    if (order.size() > static_cast<size_t>(n)) order.resize(static_cast<size_t>(n));
    return order;
}

}  // namespace

std::filesystem::path squadFile(const std::filesystem::path& fileOrFolder, const std::string& split)
{
    if (!std::filesystem::is_directory(fileOrFolder)) return fileOrFolder;
    for (const std::string& name : {split + ".json", split + "-v1.1.json"})
        if (std::filesystem::exists(fileOrFolder / name)) return fileOrFolder / name;
    failIn(fileOrFolder.string(), "no " + split + ".json or " + split + "-v1.1.json in this folder");
}

std::vector<SquadQuestion> loadSquad(const std::filesystem::path& fileOrFolder, const std::string& split)
{
    const std::filesystem::path file = squadFile(fileOrFolder, split);
    if (!std::filesystem::exists(file)) failIn(file.string(), "no such file");
    const json root = readJsonFile(file);
    auto questions = SquadParser(file.string(), split == "train").parse(root);
    if (questions.empty()) failIn(file.string(), "no questions");
    return questions;
}

std::vector<Example> squadExamples(const std::vector<SquadQuestion>& questions)
{
    std::vector<Example> examples;
    examples.reserve(questions.size());
    for (const auto& question : questions) {
        Example example;
        example.id = question.id;
        example.textA = question.question;
        example.textB = question.context;
        example.hasTextB = true;
        example.source = "question " + question.id;
        examples.push_back(std::move(example));
    }
    return examples;
}

std::vector<Feature> encodeSquad(const std::vector<SquadQuestion>& questions, const BertTokenizer& tokenizer,
                                 int maxLength, int docStride, int maxQueryLength)
{
    if (docStride < 1) throw Error("document stride " + std::to_string(docStride) + " must be at least 1");
    if (maxQueryLength < 1) throw Error("maximum question length " + std::to_string(maxQueryLength) + " must be at least 1");
    const int64_t clsId = tokenizer.vocab().clsId();
    const int64_t sepId = tokenizer.vocab().sepId();

    std::vector<Feature> features;
    const std::string* lastContext = nullptr;
    std::vector<TokenSpan> contextTokens;
    std::vector<int64_t> contextIds;
    for (size_t q = 0; q < questions.size(); ++q) {
        const SquadQuestion& question = questions[q];
        // Questions of one paragraph follow each other: tokenize its context once.
        if (lastContext == nullptr || *lastContext != question.context) {
            contextTokens = tokenizer.tokenizeWithOffsets(question.context);
            contextIds.clear();
            for (const auto& token : contextTokens) contextIds.push_back(tokenizer.vocab().idOf(token.token));
            lastContext = &question.context;
        }
        std::vector<std::string> queryTokens = tokenizer.tokenize(question.question);
        if (queryTokens.size() > static_cast<size_t>(maxQueryLength)) queryTokens.resize(static_cast<size_t>(maxQueryLength));
        const std::vector<int64_t> queryIds = tokenizer.toIds(queryTokens);
        const int64_t room = int64_t(maxLength) - int64_t(queryTokens.size()) - 3;
        if (room < 1)
            throw Error("maximum length " + std::to_string(maxLength) + " leaves no room for context after a question of " +
                        std::to_string(queryTokens.size()) + " tokens (question " + question.id + ")");

        // The first answer's tokens: every token its bytes overlap.
        int64_t answerFirst = -1, answerLast = -1;
        if (question.answerStart >= 0 && !question.answers.empty()) {
            const size_t begin = static_cast<size_t>(question.answerStart);
            const size_t end = begin + question.answers.front().size();
            for (size_t t = 0; t < contextTokens.size(); ++t) {
                if (contextTokens[t].end > begin && contextTokens[t].begin < end) {
                    if (answerFirst < 0) answerFirst = static_cast<int64_t>(t);
                    answerLast = static_cast<int64_t>(t);
                }
            }
        }

        std::vector<WindowSpan> windows;
        for (size_t start = 0; start < contextTokens.size();) {
            const size_t length = std::min(contextTokens.size() - start, static_cast<size_t>(room));
            windows.push_back({start, length});
            if (start + length == contextTokens.size()) break;
            start += std::min(length, static_cast<size_t>(docStride));
        }

        for (size_t w = 0; w < windows.size(); ++w) {
            const WindowSpan& window = windows[w];
            Feature feature;
            feature.exampleIndex = q;
            const auto addSpecial = [&](int64_t id, int64_t type) {
                feature.inputIds.push_back(id);
                feature.tokenTypeIds.push_back(type);
                feature.tokenToContextChar.push_back(-1);
                feature.tokenToContextCharEnd.push_back(-1);
                feature.tokenIsMaxContext.push_back(0);
            };
            addSpecial(clsId, 0);
            for (const int64_t id : queryIds) addSpecial(id, 0);
            addSpecial(sepId, 0);
            const int64_t offset = static_cast<int64_t>(feature.inputIds.size()) - static_cast<int64_t>(window.start);
            for (size_t t = window.start; t < window.start + window.length; ++t) {
                feature.inputIds.push_back(contextIds[t]);
                feature.tokenTypeIds.push_back(1);
                feature.tokenToContextChar.push_back(static_cast<int>(contextTokens[t].begin));
                feature.tokenToContextCharEnd.push_back(static_cast<int>(contextTokens[t].end));
                feature.tokenIsMaxContext.push_back(isMaxContext(windows, w, t) ? 1 : 0);
            }
            addSpecial(sepId, 1);
            if (answerFirst >= static_cast<int64_t>(window.start) &&
                answerLast < static_cast<int64_t>(window.start + window.length)) {
                feature.startPosition = static_cast<int>(answerFirst + offset);
                feature.endPosition = static_cast<int>(answerLast + offset);
            }
            features.push_back(std::move(feature));
        }
    }
    return features;
}

std::map<std::string, std::string> squadAnswers(const std::vector<SquadQuestion>& questions,
                                                const std::vector<Feature>& features,
                                                const std::vector<std::vector<float>>& startLogits,
                                                const std::vector<std::vector<float>>& endLogits, int nBest,
                                                int maxAnswerLength)
{
    if (startLogits.size() != features.size() || endLogits.size() != features.size())
        throw Error("SQuAD post-processing: " + std::to_string(startLogits.size()) + " start and " +
                    std::to_string(endLogits.size()) + " end logit rows for " + std::to_string(features.size()) +
                    " features");
    if (nBest < 1 || maxAnswerLength < 1) throw Error("SQuAD post-processing: n-best and maximum answer length must be at least 1");

    struct Best {
        double score = 0;
        bool found = false;
        size_t begin = 0, end = 0;
    };
    std::vector<Best> best(questions.size());
    for (size_t f = 0; f < features.size(); ++f) {
        const Feature& feature = features[f];
        if (feature.exampleIndex >= questions.size())
            throw Error("SQuAD post-processing: feature " + std::to_string(f) + " belongs to question " +
                        std::to_string(feature.exampleIndex) + " of " + std::to_string(questions.size()));
        const size_t length = feature.inputIds.size();
        if (feature.tokenToContextChar.size() != length || feature.tokenToContextCharEnd.size() != length ||
            feature.tokenIsMaxContext.size() != length)
            throw Error("SQuAD post-processing: feature " + std::to_string(f) + " has no context offsets (not from encodeSquad?)");
        if (startLogits[f].size() < length || endLogits[f].size() < length)
            throw Error("SQuAD post-processing: feature " + std::to_string(f) + " has " + std::to_string(length) +
                        " tokens but " + std::to_string(std::min(startLogits[f].size(), endLogits[f].size())) + " logits");
        const auto starts = bestIndexes(startLogits[f], length, nBest);
        const auto ends = bestIndexes(endLogits[f], length, nBest);
        Best& current = best[feature.exampleIndex];
        for (const int start : starts) {
            if (feature.tokenToContextChar[start] < 0 || !feature.tokenIsMaxContext[start]) continue;
            for (const int end : ends) {
                if (feature.tokenToContextChar[end] < 0 || end < start || end - start + 1 > maxAnswerLength) continue;
                const double score = double(startLogits[f][start]) + double(endLogits[f][end]);
                if (!current.found || score > current.score) {
                    current = {score, true, static_cast<size_t>(feature.tokenToContextChar[start]),
                               static_cast<size_t>(feature.tokenToContextCharEnd[end])};
                }
            }
        }
    }
    std::map<std::string, std::string> answers;
    for (size_t q = 0; q < questions.size(); ++q) {
        const Best& b = best[q];
        answers[questions[q].id] = b.found && b.end > b.begin ? questions[q].context.substr(b.begin, b.end - b.begin) : "";
    }
    return answers;
}

}  // namespace ax
