#include "train/optimization.h"

#include <torch/torch.h>

#include <cmath>

namespace ax {

namespace {

bool takesWeightDecay(const std::string& name)
{
    const bool isBias = name.size() >= 5 && name.compare(name.size() - 5, 5, ".bias") == 0;
    return !isBias && name.find("LayerNorm") == std::string::npos;
}

}  // namespace

Optimization::Optimization(BertModelImpl& model, const OptimizerSettings& settings, int64_t totalSteps)
    : m_settings(settings),
      m_totalSteps(std::max<int64_t>(1, totalSteps)),
      m_warmupSteps(static_cast<int64_t>(std::llround(settings.warmupFraction * static_cast<double>(m_totalSteps))))
{
    std::vector<torch::Tensor> decayed, undecayed;
    for (const auto& [name, tensor] : model.namedWeights()) {
        (takesWeightDecay(name) ? decayed : undecayed).push_back(tensor);
        m_parameters.push_back(tensor);
    }
    const auto options = torch::optim::AdamWOptions(settings.learningRate).eps(settings.adamEpsilon);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    groups.emplace_back(decayed, std::make_unique<torch::optim::AdamWOptions>(
                                     torch::optim::AdamWOptions(options).weight_decay(settings.weightDecay)));
    groups.emplace_back(undecayed,
                        std::make_unique<torch::optim::AdamWOptions>(torch::optim::AdamWOptions(options).weight_decay(0.0)));
    m_optimizer = std::make_unique<torch::optim::AdamW>(groups, options);
}

double Optimization::scheduleFactor(int64_t step, int64_t warmupSteps, int64_t totalSteps)
{
    if (step < warmupSteps) return static_cast<double>(step) / static_cast<double>(std::max<int64_t>(1, warmupSteps));
    return std::max(0.0, static_cast<double>(totalSteps - step) / static_cast<double>(std::max<int64_t>(1, totalSteps - warmupSteps)));
}

void Optimization::save(torch::serialize::OutputArchive& archive) const
{
    torch::serialize::OutputArchive adam(archive.compilation_unit());
    m_optimizer->save(adam);
    archive.write("adamw", adam);
    archive.write("schedule_step", c10::IValue(m_step));
}

void Optimization::load(torch::serialize::InputArchive& archive)
{
    torch::serialize::InputArchive adam;
    archive.read("adamw", adam);
    m_optimizer->load(adam);
    c10::IValue step;
    archive.read("schedule_step", step);
    m_step = step.toInt();
}

double Optimization::step()
{
    if (m_settings.maxGradNorm > 0) torch::nn::utils::clip_grad_norm_(m_parameters, m_settings.maxGradNorm);
    const double rate = m_settings.learningRate * scheduleFactor(m_step, m_warmupSteps, m_totalSteps);
    for (auto& group : m_optimizer->param_groups()) static_cast<torch::optim::AdamWOptions&>(group.options()).lr(rate);
    m_optimizer->step();
    m_optimizer->zero_grad();
    ++m_step;
    return rate;
}

}  // namespace ax
