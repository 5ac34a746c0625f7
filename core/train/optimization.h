// The optimiser recipe BERT fine-tuning and pretraining share: AdamW with decoupled weight decay
// (none on biases and LayerNorm parameters), a linear warm-up then linear decay of the learning
// rate (Hugging Face's get_linear_schedule_with_warmup), and gradient-norm clipping.
#pragma once

#include "model/bert_model.h"

#include <torch/optim/adamw.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include <memory>

namespace ax {

struct OptimizerSettings {
    double learningRate = 2e-5;
    double weightDecay = 0.01;
    double adamEpsilon = 1e-8;
    double warmupFraction = 0.1;   // of all steps
    double maxGradNorm = 1.0;      // <= 0: no clipping
};

class Optimization {
public:
    Optimization(BertModelImpl& model, const OptimizerSettings& settings, int64_t totalSteps);

    // One update from the gradients already accumulated: clip, set this step's learning rate, step,
    // zero the gradients. Returns the learning rate used.
    double step();
    int64_t stepsTaken() const { return m_step; }

    // The optimiser's moments and step counts and the schedule's position, for a resumable run.
    void save(torch::serialize::OutputArchive& archive) const;
    void load(torch::serialize::InputArchive& archive);

    // The schedule's factor for optimiser step `step` (0-based): step/warmup during warm-up, then
    // falling linearly to 0 at totalSteps. Step 0 with warm-up has factor 0, as Hugging Face's.
    static double scheduleFactor(int64_t step, int64_t warmupSteps, int64_t totalSteps);

private:
    std::vector<torch::Tensor> m_parameters;
    std::unique_ptr<torch::optim::AdamW> m_optimizer;
    OptimizerSettings m_settings;
    int64_t m_totalSteps;
    int64_t m_warmupSteps;
    int64_t m_step = 0;
};

}  // namespace ax
