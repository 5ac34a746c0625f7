#include "demo/synthetic_language.h"

#include "common/atomic_file.h"

#include <set>
#include <sstream>

namespace ax {

namespace {

const std::vector<std::string> kSingular = {
    "movie", "film", "actor", "singer", "book", "song", "dog", "cat", "teacher", "student", "chef", "meal",
    "game", "player", "garden", "house", "car", "phone", "show", "story", "painting", "poem", "team", "city",
    "hotel", "room", "road", "train", "camera", "computer", "lesson", "concert", "museum", "restaurant", "cake",
    "bridge", "river", "friend", "neighbour", "band"};
const std::vector<std::string> kPlural = {
    "movies", "films", "actors", "singers", "books", "songs", "dogs", "cats", "teachers", "students", "chefs",
    "meals", "games", "players", "gardens", "houses", "cars", "phones", "shows", "stories", "paintings", "poems",
    "teams", "cities", "hotels", "rooms", "roads", "trains", "cameras", "computers", "lessons", "concerts",
    "museums", "restaurants", "cakes", "bridges", "rivers", "friends", "neighbours", "bands"};
const std::vector<std::string> kPlaces = {
    "park", "station", "village", "market", "kitchen", "library", "school", "forest", "street", "harbour",
    "valley", "castle", "studio", "theatre", "office", "square", "island", "farm", "hall", "corner"};
const std::vector<std::string> kPrepositions = {"in", "near", "from", "behind", "beside", "across", "at"};
const std::vector<std::string> kNeutral = {
    "old", "new", "big", "small", "red", "blue", "green", "tall", "long", "short", "quiet", "busy", "early",
    "late", "local", "famous", "modern", "ancient", "wooden", "tiny", "huge", "northern", "southern", "round"};
const std::vector<std::string> kPositive = {
    "good", "great", "wonderful", "excellent", "lovely", "brilliant", "charming", "delightful", "pleasant",
    "superb", "fantastic", "clever", "warm", "bright", "friendly", "beautiful", "elegant", "fresh", "gentle",
    "graceful", "joyful", "kind", "lively", "marvelous", "perfect", "polished", "splendid", "sweet", "thrilling",
    "vivid", "witty", "calm", "cheerful", "generous", "honest", "inspiring", "amazing", "superior", "neat", "fine"};
const std::vector<std::string> kNegative = {
    "bad", "awful", "terrible", "dull", "boring", "poor", "dreadful", "horrible", "nasty", "rude", "sloppy",
    "stale", "weak", "clumsy", "cold", "dirty", "gloomy", "harsh", "messy", "noisy", "painful", "rotten", "sad",
    "shabby", "silly", "slow", "tedious", "ugly", "unpleasant", "bland", "broken", "careless", "cheap",
    "confusing", "disappointing", "grim", "lazy", "lousy", "mediocre", "miserable"};
const std::vector<std::string> kAdverbs = {"very", "really", "quite", "truly", "rather", "so", "extremely",
                                           "fairly", "remarkably", "surprisingly"};
const std::vector<std::string> kSingularDeterminers = {"the", "this", "that", "every", "my", "our", "their"};
const std::vector<std::string> kPluralDeterminers = {"the", "these", "those", "some", "my", "our", "their"};
const std::vector<std::string> kSingularVerbs = {"is", "was", "seems", "looks", "feels", "sounds"};
const std::vector<std::string> kPluralVerbs = {"are", "were", "seem", "look", "feel", "sound"};
const std::vector<std::string> kNegations = {"not", "never"};
const std::vector<std::string> kOther = {"but", "although", "and", ",", "."};
const std::vector<std::string> kSpecial = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};

}  // namespace

SyntheticLanguage::SyntheticLanguage(uint64_t seed) : m_random(seed) {}

std::vector<std::string> SyntheticLanguage::vocabulary() const
{
    std::vector<std::string> words = kSpecial;
    std::set<std::string> seen(words.begin(), words.end());
    for (const auto* list : {&kSingular, &kPlural, &kPlaces, &kPrepositions, &kNeutral, &kPositive, &kNegative, &kAdverbs,
                             &kSingularDeterminers, &kPluralDeterminers, &kSingularVerbs, &kPluralVerbs, &kNegations, &kOther})
        for (const std::string& word : *list)
            if (seen.insert(word).second) words.push_back(word);
    return words;
}

const std::string& SyntheticLanguage::pick(const std::vector<std::string>& words)
{
    return words[std::uniform_int_distribution<size_t>(0, words.size() - 1)(m_random)];
}

// "the old dogs near the quiet station": the prepositional phrase puts distance between the
// subject and the verb that must agree with it.
std::string SyntheticLanguage::nounPhrase(bool plural)
{
    std::ostringstream phrase;
    phrase << pick(plural ? kPluralDeterminers : kSingularDeterminers) << ' ';
    if (m_random() % 3 == 0) phrase << pick(kNeutral) << ' ';
    const size_t noun = std::uniform_int_distribution<size_t>(0, kSingular.size() - 1)(m_random);
    phrase << (plural ? kPlural : kSingular)[noun];
    if (m_random() % 2 == 0) {
        phrase << ' ' << pick(kPrepositions) << " the ";
        if (m_random() % 2 == 0) phrase << pick(kNeutral) << ' ';
        phrase << pick(kPlaces);
    }
    return phrase.str();
}

SyntheticLanguage::Clause SyntheticLanguage::clause()
{
    const bool plural = m_random() % 2 == 0;
    const bool positiveWord = m_random() % 2 == 0;
    const bool negated = m_random() % 3 == 0;
    std::ostringstream text;
    text << nounPhrase(plural) << ' ' << pick(plural ? kPluralVerbs : kSingularVerbs) << ' ';
    if (negated) text << pick(kNegations) << ' ';
    if (m_random() % 3 == 0) text << pick(kAdverbs) << ' ';
    text << pick(positiveWord ? kPositive : kNegative);
    return {text.str(), positiveWord != negated};
}

std::string SyntheticLanguage::sentence()
{
    if (m_random() % 4 == 0) {
        // A plain description: agreement without sentiment.
        const bool plural = m_random() % 2 == 0;
        return nounPhrase(plural) + ' ' + pick(plural ? kPluralVerbs : kSingularVerbs) + ' ' + pick(kNeutral) + " .";
    }
    return review().text;
}

LabelledSentence SyntheticLanguage::review()
{
    Clause first = clause();
    switch (m_random() % 4) {
    case 0:
    case 1: return {first.text + " .", first.positive ? 1 : 0};
    case 2: {
        // Contrast: only the second clause decides, and it must disagree with the first.
        Clause second = clause();
        while (second.positive == first.positive) second = clause();
        if (m_random() % 2 == 0) return {first.text + " but " + second.text + " .", second.positive ? 1 : 0};
        return {"although " + first.text + " , " + second.text + " .", second.positive ? 1 : 0};
    }
    default: {
        Clause second = clause();
        while (second.positive != first.positive) second = clause();
        return {first.text + " and " + second.text + " .", first.positive ? 1 : 0};
    }
    }
}

void writeSyntheticLanguage(const std::filesystem::path& folder, uint64_t seed, size_t corpusSentences, size_t trainReviews,
                            size_t devReviews)
{
    std::filesystem::create_directories(folder);
    SyntheticLanguage language(seed);
    std::ostringstream vocab;
    for (const std::string& word : language.vocabulary()) vocab << word << '\n';
    writeFileAtomically(folder / "vocab.txt", vocab.str());
    std::ostringstream corpus;
    for (size_t i = 0; i < corpusSentences; ++i) corpus << language.sentence() << '\n';
    writeFileAtomically(folder / "corpus.txt", corpus.str());
    auto reviews = [&](size_t count) {
        std::ostringstream tsv;
        tsv << "sentence\tlabel\n";
        for (size_t i = 0; i < count; ++i) {
            const LabelledSentence review = language.review();
            tsv << review.text << '\t' << review.label << '\n';
        }
        return tsv.str();
    };
    writeFileAtomically(folder / "train.tsv", reviews(trainReviews));
    writeFileAtomically(folder / "dev.tsv", reviews(devReviews));
}

}  // namespace ax
