// The torch-free safetensors layer: round trips of every dtype, the shared axbert-mini file,
// sharded checkpoints, and one row per malformed input that must be refused with a clear message.
#include "test_support.h"

#include "common/atomic_file.h"
#include "common/error.h"
#include "io/checkpoint.h"
#include "io/safetensors.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace {

namespace fs = std::filesystem;

QByteArray lengthPrefix(uint64_t length)
{
    QByteArray bytes(8, '\0');
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>((length >> (8 * i)) & 0xff);
    return bytes;
}

// A safetensors file written by hand: length, header (space-padded to a multiple of 8 when asked), data.
QByteArray handMade(QByteArray header, const QByteArray& data = {}, bool pad = true)
{
    if (pad)
        while (header.size() % 8 != 0) header.append(' ');
    return lengthPrefix(static_cast<uint64_t>(header.size())) + header + data;
}

// One header entry: "name":{"dtype":..,"shape":..,"data_offsets":[begin,end]}.
QByteArray entry(const char* name, const char* dtype, const char* shape, uint64_t begin, uint64_t end)
{
    return QByteArray("\"") + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" +
           QByteArray::number(static_cast<qulonglong>(begin)) + "," + QByteArray::number(static_cast<qulonglong>(end)) +
           "]}";
}

void writeRaw(const fs::path& file, const QByteArray& bytes)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out.write(bytes.constData(), bytes.size());
}

QByteArray readRaw(const fs::path& file)
{
    const std::string content = ax::readWholeFile(file);
    return QByteArray(content.data(), static_cast<qsizetype>(content.size()));
}

// The ax::Error message of `action`, or an empty string when it did not throw.
std::string errorOf(const std::function<void()>& action)
{
    try {
        action();
    } catch (const ax::Error& error) {
        return error.what();
    }
    return {};
}

// A row tag as a file name: "shape dim negative" -> "shape_dim_negative".
std::string fileNameFor(const char* tag, const char* extension)
{
    std::string name = tag;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return name + extension;
}

void requireErrorMentions(const std::string& message, const std::string& fileName, const QStringList& fragments)
{
    QVERIFY2(!message.empty(), "expected an ax::Error, nothing was thrown");
    QVERIFY2(message.find(fileName) != std::string::npos, message.c_str());
    for (const QString& fragment : fragments)
        QVERIFY2(message.find(fragment.toStdString()) != std::string::npos,
                 qPrintable(QString("missing \"%1\" in: %2").arg(fragment, QString::fromStdString(message))));
}

// Deterministic bytes for a tensor; BOOL gets 0/1 so that the values are meaningful.
std::vector<unsigned char> patternBytes(ax::DType dtype, size_t bytes, unsigned seed)
{
    std::vector<unsigned char> data(bytes);
    for (size_t i = 0; i < bytes; ++i)
        data[i] = dtype == ax::DType::Bool ? static_cast<unsigned char>((i + seed) % 2)
                                           : static_cast<unsigned char>((i * 37 + seed * 11 + 5) & 0xff);
    return data;
}

std::vector<std::byte> asBytes(const std::vector<unsigned char>& data)
{
    std::vector<std::byte> bytes(data.size());
    if (!data.empty()) std::memcpy(bytes.data(), data.data(), data.size());
    return bytes;
}

// Owns the data behind a list of TensorToWrite.
struct TensorSet {
    std::vector<std::vector<unsigned char>> storage;
    std::vector<ax::TensorToWrite> tensors;

    void add(const std::string& name, ax::DType dtype, std::vector<int64_t> shape)
    {
        int64_t count = 1;
        for (int64_t dim : shape) count *= dim;
        const size_t bytes = static_cast<size_t>(count) * ax::dtypeSize(dtype);
        storage.push_back(patternBytes(dtype, bytes, static_cast<unsigned>(storage.size())));
        tensors.push_back({name, dtype, std::move(shape), storage.back().data(), bytes});
    }
};

const std::vector<ax::DType> kAllDTypes = {ax::DType::F64, ax::DType::F32, ax::DType::F16, ax::DType::BF16,
                                           ax::DType::I64, ax::DType::I32, ax::DType::I16, ax::DType::I8,
                                           ax::DType::U8,  ax::DType::Bool};

}  // namespace

class TestSafetensors : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void dtypeNamesAndSizes()
    {
        const std::vector<std::pair<const char*, size_t>> expected = {{"F64", 8}, {"F32", 4}, {"F16", 2}, {"BF16", 2},
                                                                      {"I64", 8}, {"I32", 4}, {"I16", 2}, {"I8", 1},
                                                                      {"U8", 1},  {"BOOL", 1}};
        for (size_t i = 0; i < kAllDTypes.size(); ++i) {
            QCOMPARE(ax::dtypeName(kAllDTypes[i]), std::string(expected[i].first));
            QCOMPARE(ax::dtypeSize(kAllDTypes[i]), expected[i].second);
            QCOMPARE(ax::dtypeFromName(expected[i].first, "f", "t"), kAllDTypes[i]);
        }
        requireErrorMentions(errorOf([] { ax::dtypeFromName("U16", "some.safetensors", "w"); }), "some.safetensors",
                             {"\"w\"", "\"U16\""});
    }

    void roundTrip_data()
    {
        QTest::addColumn<int>("dtype");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::newRow("F64 [3]") << int(ax::DType::F64) << QList<qint64>{3};
        QTest::newRow("F32 [2,3]") << int(ax::DType::F32) << QList<qint64>{2, 3};
        QTest::newRow("F16 [4,1,3]") << int(ax::DType::F16) << QList<qint64>{4, 1, 3};
        QTest::newRow("BF16 [5,2]") << int(ax::DType::BF16) << QList<qint64>{5, 2};
        QTest::newRow("I64 [7]") << int(ax::DType::I64) << QList<qint64>{7};
        QTest::newRow("I32 [2,2]") << int(ax::DType::I32) << QList<qint64>{2, 2};
        QTest::newRow("I16 [3,3]") << int(ax::DType::I16) << QList<qint64>{3, 3};
        QTest::newRow("I8 [9]") << int(ax::DType::I8) << QList<qint64>{9};
        QTest::newRow("U8 [1,5]") << int(ax::DType::U8) << QList<qint64>{1, 5};
        QTest::newRow("BOOL [6]") << int(ax::DType::Bool) << QList<qint64>{6};
        QTest::newRow("F32 scalar []") << int(ax::DType::F32) << QList<qint64>{};
        QTest::newRow("F32 empty [0,4]") << int(ax::DType::F32) << QList<qint64>{0, 4};
    }

    void roundTrip()
    {
        QFETCH(int, dtype);
        QFETCH(QList<qint64>, shape);
        const auto type = static_cast<ax::DType>(dtype);
        TensorSet set;
        set.add("first", ax::DType::F32, {3});  // an odd-sized neighbour checks the offsets
        set.add("layer.0.weight", type, std::vector<int64_t>(shape.begin(), shape.end()));
        set.add("last", ax::DType::U8, {3});
        const fs::path file = ax::test::scratchFolder("roundtrip") / "round.safetensors";
        const std::map<std::string, std::string> metadata = {{"format", "pt"}, {"note", "ünïcode ✓"}};
        ax::writeSafetensors(file, set.tensors, metadata);

        const ax::SafetensorsReader reader(file);
        QCOMPARE(reader.metadata(), metadata);
        QCOMPARE(reader.tensors().size(), size_t(3));
        QCOMPARE(reader.tensors()[1].name, std::string("layer.0.weight"));
        const ax::TensorInfo* info = reader.find("layer.0.weight");
        QVERIFY(info != nullptr);
        QCOMPARE(info->dtype, type);
        QCOMPARE(info->shape, std::vector<int64_t>(shape.begin(), shape.end()));
        QCOMPARE(info->byteSize(), uint64_t(set.tensors[1].byteSize));
        for (size_t i = 0; i < set.tensors.size(); ++i)
            QCOMPARE(reader.readBytes(set.tensors[i].name), asBytes(set.storage[i]));
        QCOMPARE(reader.find("absent"), nullptr);
    }

    void allDTypesInOneFileAsValues()
    {
        TensorSet set;
        for (ax::DType dtype : kAllDTypes) set.add("t." + ax::dtypeName(dtype), dtype, {2, 3});
        const std::vector<float> floats = {1.5f, -2.25f, 3.0e-8f, 65504.0f};
        set.tensors.push_back({"floats", ax::DType::F32, {4}, floats.data(), floats.size() * sizeof(float)});
        const std::vector<int64_t> longs = {-1, 0, int64_t(1) << 40, INT64_MIN};
        set.tensors.push_back({"longs", ax::DType::I64, {2, 2}, longs.data(), longs.size() * sizeof(int64_t)});
        const fs::path file = ax::test::scratchFolder("alltypes") / "all.safetensors";
        ax::writeSafetensors(file, set.tensors);

        const ax::Checkpoint checkpoint = ax::Checkpoint::openFile(file);
        QCOMPARE(checkpoint.names().size(), kAllDTypes.size() + 2);
        for (ax::DType dtype : kAllDTypes) QCOMPARE(checkpoint.find("t." + ax::dtypeName(dtype))->dtype, dtype);
        std::vector<float> floatsBack(4);
        checkpoint.readInto("floats", floatsBack.data(), floatsBack.size() * sizeof(float));
        QCOMPARE(floatsBack, floats);
        std::vector<int64_t> longsBack(4);
        checkpoint.readInto("longs", longsBack.data(), longsBack.size() * sizeof(int64_t));
        QCOMPARE(longsBack, longs);
        QCOMPARE(ax::SafetensorsReader(file).metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
    }

    // What Hugging Face writes: __metadata__ first, tensors in order, contiguous offsets from 0,
    // header padded with spaces so that the data starts 8-aligned.
    void headerLayoutMatchesHuggingFace()
    {
        TensorSet set;
        set.add("b", ax::DType::F16, {3});
        set.add("a", ax::DType::I8, {1});
        const fs::path file = ax::test::scratchFolder("layout") / "layout.safetensors";
        ax::writeSafetensors(file, set.tensors);
        const QByteArray bytes = readRaw(file);
        uint64_t headerLength = 0;
        for (int i = 7; i >= 0; --i) headerLength = (headerLength << 8) | static_cast<unsigned char>(bytes[i]);
        QCOMPARE(headerLength % 8, uint64_t(0));
        QCOMPARE(uint64_t(bytes.size()), 8 + headerLength + 6 + 1);
        const QByteArray header = bytes.mid(8, static_cast<qsizetype>(headerLength));
        const QByteArray json = R"({"__metadata__":{"format":"pt"},"b":{"dtype":"F16","shape":[3],"data_offsets":[0,6]},)"
                                R"("a":{"dtype":"I8","shape":[1],"data_offsets":[6,7]}})";
        QCOMPARE(header.trimmed(), json);
        QCOMPARE(ax::SafetensorsReader(file).tensors().front().name, std::string("b"));  // header order, not sorted
        QVERIFY(header.endsWith(' ') || header.size() == json.size());

        ax::writeSafetensors(file, set.tensors, {});
        QVERIFY(ax::SafetensorsReader(file).metadata().empty());
        QVERIFY(!readRaw(file).contains("__metadata__"));
    }

    void unpaddedAndZeroSizedAreAccepted()
    {
        // Other writers need not pad; several empty tensors may share an offset.
        const QByteArray header = "{" + entry("w", "F32", "[2]", 0, 8) + "," + entry("empty", "F32", "[0,3]", 8, 8) +
                                  "," + entry("none", "I64", "[5,0]", 8, 8) + "," + entry("z", "F16", "[0]", 0, 0) +
                                  "}";
        const fs::path file = ax::test::scratchFolder("unpadded") / "unpadded.safetensors";
        writeRaw(file, handMade(header, QByteArray(8, '\x01'), false));
        const ax::SafetensorsReader reader(file);
        QCOMPARE(reader.tensors().size(), size_t(4));
        QCOMPARE(reader.find("empty")->elementCount(), int64_t(0));
        QCOMPARE(reader.readBytes("none").size(), size_t(0));
        reader.readInto("z", nullptr, 0);
        QCOMPARE(reader.readBytes("w"), std::vector<std::byte>(8, std::byte{1}));
        QVERIFY(reader.metadata().empty());
    }

    void readErrorsNameFileAndTensor()
    {
        TensorSet set;
        set.add("encoder.weight", ax::DType::F32, {2, 2});
        const fs::path file = ax::test::scratchFolder("readerrors") / "reads.safetensors";
        ax::writeSafetensors(file, set.tensors);
        const ax::SafetensorsReader reader(file);
        std::vector<float> tooSmall(3);
        requireErrorMentions(errorOf([&] { reader.readInto("encoder.weight", tooSmall.data(), 12); }),
                             "reads.safetensors", {"\"encoder.weight\"", "16 bytes", "12"});
        requireErrorMentions(errorOf([&] { reader.readBytes("decoder.weight"); }), "reads.safetensors",
                             {"\"decoder.weight\"", "no such tensor"});
        const ax::Checkpoint checkpoint = ax::Checkpoint::openFile(file);
        requireErrorMentions(errorOf([&] { checkpoint.readBytes("decoder.weight"); }), "reads.safetensors",
                             {"\"decoder.weight\""});
        QCOMPARE(checkpoint.fileOf("decoder.weight"), file.string());
        requireErrorMentions(errorOf([&] { ax::SafetensorsReader(file.parent_path() / "missing.safetensors"); }),
                             "missing.safetensors", {"cannot open"});
        requireErrorMentions(errorOf([&] { ax::SafetensorsReader{file.parent_path()}; }), "readerrors",
                             {"not a regular file"});
    }

    // The reader keeps its file open: an atomic rewrite of the path does not mix old header and new data.
    void replacedFileStillReadsConsistently()
    {
        const fs::path file = ax::test::scratchFolder("replaced") / "model.safetensors";
        const std::vector<float> before = {1, 2, 3, 4};
        ax::writeSafetensors(file, {{"w", ax::DType::F32, {4}, before.data(), 16}});
        const ax::SafetensorsReader reader(file);
        const std::vector<float> after = {9, 9, 9, 9, 9, 9, 5, 6, 7, 8};
        ax::writeSafetensors(file, {{"pad", ax::DType::F32, {6}, after.data(), 24}, {"w", ax::DType::F32, {4}, &after[6], 16}});
        std::vector<float> values(4);
        reader.readInto("w", values.data(), 16);
        QCOMPARE(values, before);
        ax::SafetensorsReader(file).readInto("w", values.data(), 16);
        QCOMPARE(values, (std::vector<float>{5, 6, 7, 8}));
    }

    void truncatedAfterOpening()
    {
        const fs::path file = ax::test::scratchFolder("truncated") / "cut.safetensors";
        TensorSet set;
        set.add("big", ax::DType::F32, {64});
        ax::writeSafetensors(file, set.tensors);
        const ax::SafetensorsReader reader(file);
        fs::resize_file(file, reader.fileBytes() - 100);
        requireErrorMentions(errorOf([&] { reader.readBytes("big"); }), "cut.safetensors", {"\"big\"", "early"});
    }

    void writerRefusesBadInput_data()
    {
        QTest::addColumn<QByteArray>("name");
        QTest::addColumn<QList<qint64>>("shape");
        QTest::addColumn<qint64>("byteSize");
        QTest::addColumn<bool>("nullData");
        QTest::addColumn<QString>("expected");
        QTest::newRow("byte size does not match the shape") << QByteArray("w") << QList<qint64>{2, 2} << qint64(12)
                                                            << false << "needs 16";
        QTest::newRow("negative dimension") << QByteArray("w") << QList<qint64>{-2} << qint64(8) << false << "-2";
        QTest::newRow("empty name") << QByteArray() << QList<qint64>{1} << qint64(4) << false << "empty name";
        QTest::newRow("reserved name") << QByteArray("__metadata__") << QList<qint64>{1} << qint64(4) << false
                                       << "reserved";
        QTest::newRow("duplicate name") << QByteArray("first") << QList<qint64>{1} << qint64(4) << false << "twice";
        QTest::newRow("name not UTF-8") << QByteArray("bad\xff") << QList<qint64>{1} << qint64(4) << false
                                        << "UTF-8";
        QTest::newRow("null data") << QByteArray("w") << QList<qint64>{1} << qint64(4) << true << "null";
    }

    void writerRefusesBadInput()
    {
        QFETCH(QByteArray, name);
        QFETCH(QList<qint64>, shape);
        QFETCH(qint64, byteSize);
        QFETCH(bool, nullData);
        QFETCH(QString, expected);
        const std::vector<unsigned char> data(64, 0);
        std::vector<ax::TensorToWrite> tensors = {{"first", ax::DType::F32, {1}, data.data(), 4}};
        tensors.push_back({name.toStdString(), ax::DType::F32, std::vector<int64_t>(shape.begin(), shape.end()),
                           nullData ? nullptr : data.data(), static_cast<size_t>(byteSize)});
        const fs::path folder = ax::test::scratchFolder("badwrite");
        const fs::path file = folder / "refused.safetensors";
        requireErrorMentions(errorOf([&] { ax::writeSafetensors(file, tensors); }), "refused.safetensors", {expected});
        QVERIFY(!fs::exists(file));
        QVERIFY(fs::is_empty(folder));
        requireErrorMentions(errorOf([&] { ax::writeCheckpoint(folder / "out", tensors, 16); }), "model.safetensors",
                             {expected});
        QVERIFY(!fs::exists(folder / "out"));
    }

    void malformedFile_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QStringList>("fragments");
        const QByteArray four(4, '\0'), eight(8, '\0'), twelve(12, '\0');
        const auto one = [](const QByteArray& tensorEntry) { return "{" + tensorEntry + "}"; };

        QTest::newRow("empty file") << QByteArray() << QStringList{"shorter than the 8-byte"};
        QTest::newRow("shorter than 8 bytes") << QByteArray("\x08\0\0\0", 4) << QStringList{"4 bytes, shorter"};
        QTest::newRow("header length beyond the file") << lengthPrefix(1000) + "{}      " << QStringList{"1000", "larger than"};
        QTest::newRow("absurd header length") << lengthPrefix(200'000'000) + "{}      " << QStringList{"absurd"};
        QTest::newRow("header length 2^64-1") << lengthPrefix(~uint64_t(0)) + "{}" << QStringList{"absurd"};
        QTest::newRow("empty header") << lengthPrefix(0) << QStringList{"header is empty"};
        QTest::newRow("header starts with a space") << handMade(" {}") << QStringList{"does not start with '{'"};
        QTest::newRow("header is an array") << handMade("[]") << QStringList{"does not start with '{'"};
        QTest::newRow("header with a byte order mark") << handMade("\xEF\xBB\xBF{}") << QStringList{"does not start"};
        QTest::newRow("header not JSON") << handMade("{\"w\": ") << QStringList{"not valid UTF-8 JSON"};
        QTest::newRow("header not UTF-8") << handMade(one(entry("w\xff", "F32", "[1]", 0, 4)), four)
                                          << QStringList{"not valid UTF-8 JSON", "UTF-8"};
        QTest::newRow("header padded with NULs") << handMade(QByteArray("{}\0\0\0\0\0\0", 8), {}, false)
                                                 << QStringList{"not valid UTF-8 JSON"};
        QTest::newRow("NUL byte then garbage") << handMade("{}" + QByteArray(1, '\0') + " \"x\": 1}")
                                               << QStringList{"NUL byte at offset 2"};
        QTest::newRow("text after the JSON object") << handMade("{} {}") << QStringList{"not valid UTF-8 JSON"};
        QTest::newRow("entry not an object") << handMade(R"({"w": 5})") << QStringList{"\"w\"", "expected an object"};
        QTest::newRow("missing dtype") << handMade(R"({"w":{"shape":[1],"data_offsets":[0,4]}})", four)
                                       << QStringList{"\"w\"", "no \"dtype\""};
        QTest::newRow("missing shape") << handMade(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", four)
                                       << QStringList{"\"w\"", "no \"shape\""};
        QTest::newRow("missing data_offsets") << handMade(R"({"w":{"dtype":"F32","shape":[1]}})", four)
                                              << QStringList{"\"w\"", "no \"data_offsets\""};
        QTest::newRow("dtype not a string") << handMade(R"({"w":{"dtype":4,"shape":[1],"data_offsets":[0,4]}})", four)
                                            << QStringList{"\"w\"", "\"dtype\" must be a string"};
        QTest::newRow("unknown dtype") << handMade(one(entry("w", "Q7", "[1]", 0, 4)), four)
                                       << QStringList{"\"w\"", "dtype \"Q7\""};
        QTest::newRow("unsupported dtype F8_E4M3") << handMade(one(entry("w", "F8_E4M3", "[4]", 0, 4)), four)
                                                   << QStringList{"\"w\"", "\"F8_E4M3\""};
        QTest::newRow("lower-case dtype") << handMade(one(entry("w", "f32", "[1]", 0, 4)), four)
                                          << QStringList{"\"w\"", "\"f32\""};
        QTest::newRow("shape not an array") << handMade(one(entry("w", "F32", "4", 0, 16)), QByteArray(16, 0))
                                            << QStringList{"\"w\"", "\"shape\" must be an array"};
        QTest::newRow("shape dim negative") << handMade(one(entry("w", "F32", "[-1]", 0, 4)), four)
                                            << QStringList{"\"w\"", "shape[0] is negative"};
        QTest::newRow("shape dim fractional") << handMade(one(entry("w", "F32", "[1,2.5]", 0, 4)), four)
                                              << QStringList{"\"w\"", "shape[1] is not an integer"};
        QTest::newRow("shape dim a string") << handMade(one(entry("w", "F32", "[\"1\"]", 0, 4)), four)
                                            << QStringList{"\"w\"", "shape[0] is a string"};
        QTest::newRow("shape dim beyond int64") << handMade(one(entry("w", "F32", "[18446744073709551615]", 0, 4)), four)
                                                << QStringList{"\"w\"", "does not fit"};
        QTest::newRow("shape product overflows") << handMade(one(entry("w", "F32", "[4294967296,4294967296,4]", 0, 4)), four)
                                                 << QStringList{"\"w\"", "overflows"};
        QTest::newRow("shape byte size overflows") << handMade(one(entry("w", "F32", "[4611686018427387904]", 0, 4)), four)
                                                   << QStringList{"\"w\"", "overflows"};
        QTest::newRow("data_offsets not an array")
            << handMade(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":0}})", four)
            << QStringList{"\"w\"", "must be [begin, end]"};
        QTest::newRow("data_offsets with one number")
            << handMade(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[4]}})", four)
            << QStringList{"\"w\"", "must be [begin, end]"};
        QTest::newRow("data_offsets with three numbers")
            << handMade(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4,4]}})", four)
            << QStringList{"\"w\"", "must be [begin, end]"};
        QTest::newRow("data_offsets negative")
            << handMade(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})", four)
            << QStringList{"\"w\"", "data_offsets[0] is negative"};
        QTest::newRow("data_offsets fractional")
            << handMade(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4.0]}})", four)
            << QStringList{"\"w\"", "data_offsets[1] is not an integer"};
        QTest::newRow("data_offsets end before begin") << handMade(one(entry("w", "F32", "[1]", 8, 4)), eight)
                                                       << QStringList{"\"w\"", "begin <= end"};
        QTest::newRow("data_offsets end beyond the data") << handMade(one(entry("w", "F32", "[2]", 0, 8)), four)
                                                          << QStringList{"\"w\"", "beyond the data buffer of 4 bytes"};
        QTest::newRow("byte span does not match the shape") << handMade(one(entry("w", "F32", "[2]", 0, 4)), four)
                                                            << QStringList{"\"w\"", "span 4 bytes", "needs 8"};
        QTest::newRow("overlapping tensors")
            << handMade("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}", twelve)
            << QStringList{"\"a\"", "\"b\"", "overlap"};
        QTest::newRow("empty tensor inside another")
            << handMade("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("z", "F32", "[0]", 4, 4) + "}", eight)
            << QStringList{"\"a\"", "\"z\"", "overlap"};
        QTest::newRow("gap between tensors")
            << handMade("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 8, 12) + "}", twelve)
            << QStringList{"\"b\"", "gap"};
        QTest::newRow("bytes before the first tensor") << handMade(one(entry("w", "F32", "[1]", 4, 8)), eight)
                                                       << QStringList{"\"w\"", "[0, 4)", "gap"};
        QTest::newRow("trailing bytes after the last tensor") << handMade(one(entry("w", "F32", "[1]", 0, 4)), eight)
                                                              << QStringList{"4 trailing bytes"};
        QTest::newRow("data but no tensors") << handMade("{}", eight) << QStringList{"8 trailing bytes"};
        QTest::newRow("metadata not an object") << handMade(R"({"__metadata__":"pt"})")
                                                << QStringList{"\"__metadata__\" must be an object"};
        QTest::newRow("metadata value a number") << handMade(R"({"__metadata__":{"format":1}})")
                                                 << QStringList{"\"format\" must be a string"};
        QTest::newRow("metadata value an object") << handMade(R"({"__metadata__":{"nested":{"a":"b"}}})")
                                                  << QStringList{"\"nested\" must be a string"};
        QTest::newRow("duplicate tensor name")
            << handMade("{" + entry("w", "F32", "[1]", 0, 4) + "," + entry("w", "F32", "[1]", 4, 8) + "}", eight)
            << QStringList{"\"w\"", "twice"};
        QTest::newRow("duplicate field in an entry")
            << handMade(R"({"w":{"dtype":"F32","dtype":"F16","shape":[1],"data_offsets":[0,4]}})", four)
            << QStringList{"\"w\"", "\"dtype\" twice"};
        QTest::newRow("duplicate metadata") << handMade(R"({"__metadata__":{},"__metadata__":{}})")
                                            << QStringList{"\"__metadata__\" twice"};
        QTest::newRow("duplicate metadata key") << handMade(R"({"__metadata__":{"a":"1","a":"2"}})")
                                                << QStringList{"\"a\" twice"};
    }

    void malformedFile()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(QStringList, fragments);
        const std::string fileName = fileNameFor(QTest::currentDataTag(), ".safetensors");
        const fs::path file = ax::test::scratchFolder("malformed") / fileName;
        writeRaw(file, bytes);
        requireErrorMentions(errorOf([&] { ax::SafetensorsReader{file}; }), fileName, fragments);
        // The folder loader reports the same problem, naming the same file.
        fs::rename(file, file.parent_path() / "model.safetensors");
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(file.parent_path()); }), "model.safetensors",
                             fragments);
    }

    void sharedAxbertMini()
    {
        AX_REQUIRE_SHARED(file, "models/axbert-mini/model.safetensors");
        const ax::SafetensorsReader reader(file);
        QCOMPARE(reader.headerBytes(), uint64_t(8656));
        QCOMPARE(reader.fileBytes(), uint64_t(45078208));
        QCOMPARE(reader.tensors().size(), size_t(76));  // 77 header entries with __metadata__
        QCOMPARE(reader.metadata(), (std::map<std::string, std::string>{{"format", "pt"}}));
        const ax::TensorInfo* words = reader.find("bert.embeddings.word_embeddings.weight");
        QVERIFY(words != nullptr);
        QCOMPARE(words->dtype, ax::DType::F32);
        QCOMPARE(words->shape, (std::vector<int64_t>{30522, 256}));
        QCOMPARE(reader.find("bert.encoder.layer.3.intermediate.dense.weight")->shape, (std::vector<int64_t>{1024, 256}));
        QCOMPARE(reader.find("cls.predictions.decoder.weight"), nullptr);
        QCOMPARE(reader.tensors().front().name, std::string("bert.embeddings.LayerNorm.bias"));
        int64_t parameters = 0;
        for (const ax::TensorInfo& info : reader.tensors()) parameters += info.elementCount();
        QCOMPARE(parameters, int64_t(11267386));

        std::vector<float> gamma(256);
        reader.readInto("bert.embeddings.LayerNorm.weight", gamma.data(), gamma.size() * sizeof(float));
        for (float value : gamma) QVERIFY(std::isfinite(value) && value > 0.0f && value < 10.0f);

        const ax::Checkpoint checkpoint = ax::Checkpoint::openFolder(file.parent_path());
        const std::vector<std::string> names = checkpoint.names();
        QCOMPARE(names.size(), size_t(76));
        QVERIFY(std::is_sorted(names.begin(), names.end()));
        QCOMPARE(checkpoint.bytesOnDisk(), uint64_t(45078208));
        QCOMPARE(checkpoint.fileOf("bert.pooler.dense.weight"), file.string());

        // Our writer reproduces the file byte for byte from what the reader gives back.
        std::vector<std::vector<std::byte>> data;
        std::vector<ax::TensorToWrite> tensors;
        for (const ax::TensorInfo& info : reader.tensors()) data.push_back(reader.readBytes(info.name));
        for (size_t i = 0; i < data.size(); ++i) {
            const ax::TensorInfo& info = reader.tensors()[i];
            tensors.push_back({info.name, info.dtype, info.shape, data[i].data(), data[i].size()});
        }
        const fs::path copy = ax::test::scratchFolder("axbert-copy") / "model.safetensors";
        ax::writeSafetensors(copy, tensors);
        QVERIFY(readRaw(copy) == readRaw(file));

        // Sharded at 10 MB, as save_pretrained(max_shard_size=...) would; every tensor reads back.
        const fs::path sharded = ax::test::scratchFolder("axbert-sharded");
        ax::writeCheckpoint(sharded, tensors, 10'000'000);
        const ax::Checkpoint reopened = ax::Checkpoint::openFolder(sharded);
        QVERIFY(reopened.shards().size() > 1);
        QCOMPARE(reopened.names(), names);
        for (size_t i = 0; i < tensors.size(); ++i) QCOMPARE(reopened.readBytes(tensors[i].name), data[i]);
    }

    void shardedRoundTrip()
    {
        TensorSet set;
        for (int i = 0; i < 6; ++i) set.add("layer." + std::to_string(i) + ".weight", ax::DType::F32, {10, 10});  // 400 B
        set.add("huge", ax::DType::F64, {200});                                                                    // 1600 B
        set.add("tail.bias", ax::DType::BF16, {3});
        set.add("tail.empty", ax::DType::I64, {0});
        const fs::path folder = ax::test::scratchFolder("sharded") / "model";
        ax::writeCheckpoint(folder, set.tensors, 1000);

        // Greedy in order, like huggingface_hub: a tensor over the limit is a shard of its own at once,
        // the open shard goes on filling: [l0,l1] [l2,l3] [huge] [l4,l5,tail.bias,tail.empty].
        QVERIFY(!fs::exists(folder / "model.safetensors"));
        for (int i = 1; i <= 4; ++i) QVERIFY(fs::exists(folder / ("model-0000" + std::to_string(i) + "-of-00004.safetensors")));
        QVERIFY(!fs::exists(folder / "model-00005-of-00005.safetensors"));
        const nlohmann::json index = nlohmann::json::parse(ax::readWholeFile(folder / "model.safetensors.index.json"));
        QCOMPARE(index["metadata"]["total_size"].get<uint64_t>(), uint64_t(6 * 400 + 1600 + 6));
        QCOMPARE(index["weight_map"].size(), size_t(9));
        QCOMPARE(index["weight_map"]["layer.3.weight"].get<std::string>(), std::string("model-00002-of-00004.safetensors"));
        QCOMPARE(index["weight_map"]["huge"].get<std::string>(), std::string("model-00003-of-00004.safetensors"));
        QCOMPARE(index["weight_map"]["tail.empty"].get<std::string>(), std::string("model-00004-of-00004.safetensors"));
        QCOMPARE(ax::SafetensorsReader(folder / "model-00001-of-00004.safetensors").metadata().at("format"),
                 std::string("pt"));

        const ax::Checkpoint checkpoint = ax::Checkpoint::openFolder(folder);
        QCOMPARE(checkpoint.source(), folder / "model.safetensors.index.json");
        QCOMPARE(checkpoint.names().size(), size_t(9));
        QCOMPARE(checkpoint.names().front(), std::string("huge"));
        for (size_t i = 0; i < set.tensors.size(); ++i) {
            QCOMPARE(checkpoint.readBytes(set.tensors[i].name), asBytes(set.storage[i]));
            QCOMPARE(checkpoint.find(set.tensors[i].name)->shape, set.tensors[i].shape);
        }
        QVERIFY(checkpoint.fileOf("layer.5.weight").find("model-00004-of-00004.safetensors") != std::string::npos);
        uint64_t onDisk = 0;
        for (int i = 1; i <= 4; ++i) onDisk += fs::file_size(folder / ("model-0000" + std::to_string(i) + "-of-00004.safetensors"));
        QCOMPARE(checkpoint.bytesOnDisk(), onDisk);
        QCOMPARE(checkpoint.find("absent"), nullptr);
        requireErrorMentions(errorOf([&] { checkpoint.readBytes("absent"); }), "model.safetensors.index.json",
                             {"\"absent\""});

        // Below the limit: one plain file, no index.
        const fs::path small = ax::test::scratchFolder("sharded") / "small";
        ax::writeCheckpoint(small, set.tensors, 1'000'000);
        QVERIFY(fs::exists(small / "model.safetensors"));
        QVERIFY(!fs::exists(small / "model.safetensors.index.json"));
        QCOMPARE(ax::Checkpoint::openFolder(small).names(), checkpoint.names());
    }

    // Saving again into the same folder leaves only the new weights (and the files that are not weights).
    void resavingReplacesEarlierWeights()
    {
        TensorSet set;
        for (int i = 0; i < 4; ++i) set.add("w" + std::to_string(i), ax::DType::F32, {100});
        const fs::path folder = ax::test::scratchFolder("resave");
        ax::writeFileAtomically(folder / "config.json", "{}");
        ax::writeCheckpoint(folder, set.tensors, 500);
        QVERIFY(fs::exists(folder / "model-00004-of-00004.safetensors"));
        ax::writeCheckpoint(folder, set.tensors, 900);
        QVERIFY(fs::exists(folder / "model-00002-of-00002.safetensors"));
        QVERIFY(!fs::exists(folder / "model-00004-of-00004.safetensors"));
        ax::writeCheckpoint(folder, set.tensors);
        std::vector<std::string> files;
        for (const auto& file : fs::directory_iterator(folder)) files.push_back(file.path().filename().string());
        std::sort(files.begin(), files.end());
        QCOMPARE(files, (std::vector<std::string>{"config.json", "model.safetensors"}));
        ax::writeCheckpoint(folder, set.tensors, 500);
        QVERIFY(!fs::exists(folder / "model.safetensors"));
        QCOMPARE(ax::Checkpoint::openFolder(folder).shards().size(), size_t(4));
    }

    void malformedIndex_data()
    {
        QTest::addColumn<QByteArray>("index");
        QTest::addColumn<QStringList>("fragments");
        const QByteArray first = "\"model-00001-of-00002.safetensors\"", second = "\"model-00002-of-00002.safetensors\"";
        QTest::newRow("not JSON") << QByteArray(R"({"weight_map": )") << QStringList{"not valid JSON"};
        QTest::newRow("NUL byte then garbage") << "{\"weight_map\": {\"a\": " + first + "}}" + QByteArray(1, '\0') + "garbage"
                                               << QStringList{"NUL byte"};
        QTest::newRow("not an object") << QByteArray("[1]") << QStringList{"expected a JSON object"};
        QTest::newRow("weight_map missing") << QByteArray(R"({"metadata": {"total_size": 8}})")
                                            << QStringList{"no \"weight_map\""};
        QTest::newRow("weight_map not an object") << QByteArray(R"({"weight_map": ["a"]})")
                                                  << QStringList{"\"weight_map\" must be an object"};
        QTest::newRow("weight_map empty") << QByteArray(R"({"weight_map": {}})") << QStringList{"empty"};
        QTest::newRow("metadata not an object") << "{\"metadata\": 5, \"weight_map\": {\"a\": " + first + "}}"
                                                << QStringList{"\"metadata\" must be an object"};
        QTest::newRow("shard not a string") << QByteArray(R"({"weight_map": {"a": 1}})")
                                            << QStringList{"\"a\"", "file name string"};
        QTest::newRow("shard file missing") << QByteArray(R"({"weight_map": {"a": "model-00003-of-00003.safetensors"}})")
                                            << QStringList{"\"a\"", "model-00003-of-00003.safetensors", "does not exist"};
        QTest::newRow("tensor not in its shard") << "{\"weight_map\": {\"a\": " + second + "}}"
                                                 << QStringList{"\"a\"", "does not contain"};
        QTest::newRow("tensor duplicated") << "{\"weight_map\": {\"a\": " + first + ", \"a\": " + second + "}}"
                                           << QStringList{"\"a\"", "twice"};
        QTest::newRow("shard in the parent folder") << QByteArray(R"({"weight_map": {"a": "../outside.safetensors"}})")
                                                    << QStringList{"\"a\"", "not a plain file name"};
        QTest::newRow("shard is ..") << QByteArray(R"({"weight_map": {"a": ".."}})")
                                     << QStringList{"\"a\"", "not a plain file name"};
        QTest::newRow("shard in a subfolder") << QByteArray(R"({"weight_map": {"a": "sub/x.safetensors"}})")
                                              << QStringList{"\"a\"", "not a plain file name"};
        QTest::newRow("shard an absolute path") << QByteArray(R"({"weight_map": {"a": "/etc/passwd"}})")
                                                << QStringList{"\"a\"", "not a plain file name"};
        QTest::newRow("shard with a backslash") << QByteArray(R"({"weight_map": {"a": "..\\outside.safetensors"}})")
                                                << QStringList{"\"a\"", "not a plain file name"};
        QTest::newRow("shard name empty") << QByteArray(R"({"weight_map": {"a": ""}})")
                                          << QStringList{"\"a\"", "not a plain file name"};
    }

    void malformedIndex()
    {
        QFETCH(QByteArray, index);
        QFETCH(QStringList, fragments);
        const fs::path root = ax::test::scratchFolder("badindex");
        const fs::path folder = root / fileNameFor(QTest::currentDataTag(), "");
        fs::create_directories(folder / "sub");
        const std::vector<float> values = {1, 2};
        ax::writeSafetensors(folder / "model-00001-of-00002.safetensors", {{"a", ax::DType::F32, {1}, &values[0], 4}});
        ax::writeSafetensors(folder / "model-00002-of-00002.safetensors", {{"b", ax::DType::F32, {1}, &values[1], 4}});
        // Valid files where an escaping name points: refused for its name, not for lack of a file.
        ax::writeSafetensors(root / "outside.safetensors", {{"a", ax::DType::F32, {1}, &values[0], 4}});
        ax::writeSafetensors(folder / "sub" / "x.safetensors", {{"a", ax::DType::F32, {1}, &values[0], 4}});
        writeRaw(folder / "model.safetensors.index.json", index);
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(folder); }), "model.safetensors.index.json",
                             fragments);
    }

    void corruptShardIsNamed()
    {
        const fs::path folder = ax::test::scratchFolder("corruptshard");
        const std::vector<float> values = {1, 2};
        ax::writeSafetensors(folder / "model-00001-of-00002.safetensors", {{"a", ax::DType::F32, {1}, &values[0], 4}});
        writeRaw(folder / "model-00002-of-00002.safetensors", handMade(R"({"b":{"dtype":"F32"}})"));
        writeRaw(folder / "model.safetensors.index.json",
                 R"({"weight_map":{"a":"model-00001-of-00002.safetensors","b":"model-00002-of-00002.safetensors"}})");
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(folder); }), "model-00002-of-00002.safetensors",
                             {"\"b\"", "no \"shape\""});
    }

    void folderWithoutWeights()
    {
        const fs::path empty = ax::test::scratchFolder("noweights");
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(empty); }), empty.string(),
                             {"model.safetensors"});
        writeRaw(empty / "pytorch_model.bin", "not really a pickle");
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(empty); }), empty.string(),
                             {"pytorch_model.bin", "not supported yet"});
        requireErrorMentions(errorOf([&] { ax::Checkpoint::openFolder(empty / "missing"); }), "missing",
                             {"not a folder"});
    }

    void streamedAtomicWriteFailureLeavesTarget()
    {
        const fs::path folder = ax::test::scratchFolder("streamed");
        const fs::path target = folder / "out.bin";
        ax::writeFileAtomically(target, "old");
        const std::string message = errorOf([&] {
            ax::writeFileAtomicallyStreamed(target, [](const ax::ChunkWriter& write) {
                write("new data", 8);
                throw ax::Error("producer failed");
            });
        });
        QCOMPARE(message, std::string("producer failed"));
        QCOMPARE(ax::readWholeFile(target), std::string("old"));
        QCOMPARE(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), std::ptrdiff_t(1));
        ax::writeFileAtomicallyStreamed(target, [](const ax::ChunkWriter& write) {
            write("ab", 2);
            write(nullptr, 0);
            write("cd", 2);
        });
        QCOMPARE(ax::readWholeFile(target), std::string("abcd"));
    }
};

AX_TEST_MAIN(TestSafetensors)
#include "test_safetensors.moc"
