#include "model/int8_linear.h"

#include "common/error.h"

#include <ATen/core/dispatch/Dispatcher.h>
#include <ATen/native/quantized/PackedParams.h>
#include <torch/torch.h>

#include <algorithm>
#include <mutex>

namespace ax {

namespace {

// The fastest engine this LibTorch has for x86 servers: FBGEMM, else oneDNN, else QNNPACK (made
// for ARM phones: measured 2-3x slower than float here). Chosen once, before the first packing.
at::QEngine chooseEngine()
{
    static std::once_flag once;
    std::call_once(once, [] {
        auto& context = at::globalContext();
        const auto supported = context.supportedQEngines();
        for (const at::QEngine preferred : {at::QEngine::FBGEMM, at::QEngine::ONEDNN, at::QEngine::QNNPACK})
            if (std::find(supported.begin(), supported.end(), preferred) != supported.end()) {
                context.setQEngine(preferred);
                return;
            }
    });
    const at::QEngine engine = at::globalContext().qEngine();
    if (engine == at::QEngine::NoQEngine) throw Error("this LibTorch has no quantized engine: int8 models cannot run here");
    return engine;
}

}  // namespace

torch::Tensor Int8Weight::dequantized() const
{
    return values.to(torch::kFloat32) * scales.unsqueeze(1);
}

Int8Weight quantizePerChannel(const torch::Tensor& weight)
{
    torch::NoGradGuard noGrad;
    const torch::Tensor rowMax = weight.detach().abs().amax({1});
    const torch::Tensor scales = torch::where(rowMax > 0, rowMax / 127.0, torch::ones_like(rowMax)).to(torch::kFloat32);
    const torch::Tensor values = (weight.detach() / scales.unsqueeze(1)).round().clamp(-127, 127).to(torch::kInt8);
    return {values.contiguous(), scales.contiguous()};
}

struct Int8Linear::Packed {
    c10::intrusive_ptr<LinearPackedParamsBase> params;
};

Int8Linear::Int8Linear(Int8Weight weight, const torch::Tensor& bias) : m_weight(std::move(weight))
{
    chooseEngine();
    torch::NoGradGuard noGrad;
    // LibTorch's per-channel quantized tensor from our int8 values: the same integers, exactly.
    const torch::Tensor quantized = at::_make_per_channel_quantized_tensor(
        m_weight.values, m_weight.scales.to(torch::kFloat64), torch::zeros({m_weight.scales.size(0)}, torch::kLong), 0);
    static const auto prepack = c10::Dispatcher::singleton()
                                    .findSchemaOrThrow("quantized::linear_prepack", "")
                                    .typed<c10::intrusive_ptr<LinearPackedParamsBase>(at::Tensor, c10::optional<at::Tensor>)>();
    m_packed = std::make_shared<const Packed>(Packed{prepack.call(quantized, bias.detach().contiguous())});
}

torch::Tensor Int8Linear::forward(const torch::Tensor& input) const
{
    return m_packed->params->apply_dynamic(input.contiguous());
}

std::string int8EngineName()
{
    switch (chooseEngine()) {
    case at::QEngine::FBGEMM: return "fbgemm";
    case at::QEngine::ONEDNN: return "onednn";
    case at::QEngine::QNNPACK: return "qnnpack";
    default: return "none";
    }
}

}  // namespace ax
