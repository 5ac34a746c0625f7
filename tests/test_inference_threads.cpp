// Which threads a small forward wakes (model/inference_threads.h): at inference, below the
// threshold, the operators outside the products see one thread while the products, and an
// operator given them back through ThreadCountScope, keep the caller's count; with a gradient,
// above the threshold or nested, nothing changes; the caller's setting comes back on leaving, also
// when the forward throws; results are those of a forward that does not engage it.

#include "model/inference_threads.h"

#include "small_classifier.h"

#include <ATen/Parallel.h>
#include <torch/torch.h>

#include "test_support.h"

using namespace ax;

namespace {

constexpr int kThreads = 2;
constexpr int64_t kSmall = 128 * 256;         // BERT-Mini, one sequence of 128
constexpr int64_t kLarge = 32 * 128 * 768;    // BERT-base, a batch of 32

}  // namespace

class TestInferenceThreads : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void init() { at::set_num_threads(kThreads); }

    void smallInferenceRunsOperatorsOnCallingThread()
    {
        torch::NoGradGuard noGrad;
        {
            const SmallOperatorsOnCallingThread scope(kSmall);
            QCOMPARE(at::get_num_threads(), 1);
            QCOMPARE(productThreads(), kThreads);
            {
                const SmallOperatorsOnCallingThread nested(kSmall);
                QCOMPARE(at::get_num_threads(), 1);
                QCOMPARE(productThreads(), kThreads);
            }
            // Leaving the nested scope must not end the outer one.
            QCOMPARE(at::get_num_threads(), 1);
            QCOMPARE(productThreads(), kThreads);
        }
        QCOMPARE(at::get_num_threads(), kThreads);
        QCOMPARE(productThreads(), kThreads);
    }

    void threadCountScopeGivesAHeavyOperatorEveryThread()
    {
        {
            // Outside the scope: nothing to give back.
            const ThreadCountScope heavy(productThreads());
            QCOMPARE(at::get_num_threads(), kThreads);
        }
        torch::InferenceMode inference;
        const SmallOperatorsOnCallingThread scope(kSmall);
        {
            const ThreadCountScope heavy(productThreads());
            QCOMPARE(at::get_num_threads(), kThreads);
        }
        QCOMPARE(at::get_num_threads(), 1);
    }

    void leavesLargeWorkAndTrainingAlone()
    {
        {
            // Training: the backward pass would run its own operators on every thread anyway.
            const SmallOperatorsOnCallingThread scope(kSmall);
            QCOMPARE(at::get_num_threads(), kThreads);
        }
        torch::InferenceMode inference;
        const SmallOperatorsOnCallingThread scope(kLarge);
        QCOMPARE(at::get_num_threads(), kThreads);
        QCOMPARE(productThreads(), kThreads);
    }

    void forwardRestoresTheSettingAndKeepsResults()
    {
        // 16 × 24 tokens of hidden width 64: 24 k elements, within the scope.
        BertModel model = test::smallClassifier();
        ModelInput input = test::smallClassifierBatch();
        const torch::Tensor withGradient = model->forward(input).logits.detach();  // scope not engaged
        QCOMPARE(at::get_num_threads(), kThreads);

        torch::Tensor atInference;
        {
            torch::InferenceMode inference;
            atInference = model->forward(input).logits;
            QCOMPARE(at::get_num_threads(), kThreads);
            // A token id past the vocabulary throws inside the forward, after the scope engaged.
            input.inputIds[0][0] = 1000;
            QVERIFY_THROWS_EXCEPTION(std::exception, model->forward(input));
            QCOMPARE(at::get_num_threads(), kThreads);
        }
        QVERIFY((atInference - withGradient).abs().max().item<double>() < 1e-5);
    }
};

AX_TEST_MAIN(TestInferenceThreads)
#include "test_inference_threads.moc"
