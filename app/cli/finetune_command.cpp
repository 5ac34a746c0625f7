#include "cli/command.h"

#include "cli/progress_printer.h"
#include "cli/task_options.h"
#include "common/error.h"
#include "train/fine_tune_job.h"
#include "train/training_state.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace ax::cli {

namespace {

int runFinetune(const Arguments& arguments)
{
    const TaskOptions options = readTaskOptions(arguments, 32);
    FineTuneJob job;
    job.model = arguments.required("model");
    job.out = arguments.required("out");
    job.task = options.task.get();
    job.data = options.data;
    job.dataOptions = options.dataOptions;
    job.evaluation = options.evaluation;
    job.fromScratch = arguments.flag("from-scratch");
    job.resume = arguments.flag("resume");
    // Never silently throw away a stopped run, nor pretend to resume one that is not there.
    const std::filesystem::path state = trainingStateFile(job.out);
    if (job.resume && !std::filesystem::exists(state))
        throw Error("nothing to resume: " + state.string() + " does not exist (a finished run removes it)");
    if (!job.resume && std::filesystem::exists(state))
        throw Error(state.string() + " holds a stopped fine-tune of " + job.out.string() +
                    ": add --resume to continue it, or delete the file to start over");
    FineTuneSettings& settings = job.settings;
    settings.epochs = arguments.integer("epochs", 3, 1, 1000);
    settings.batchSize = options.evaluation.batchSize;
    settings.seed = options.seed;
    settings.optimizer.learningRate = arguments.number("lr", 2e-5, 1e-9, 1.0);
    settings.optimizer.warmupFraction = arguments.number("warmup", 0.1, 0.0, 1.0);
    settings.optimizer.weightDecay = arguments.number("weight-decay", 0.01, 0.0, 1.0);
    settings.optimizer.maxGradNorm = arguments.number("max-grad-norm", 1.0, 0.0, 1e6);
    if (const auto teacher = arguments.value("teacher")) job.teacher = *teacher;
    else
        for (const char* option : {"temperature", "distill-alpha", "hidden-loss"})
            if (arguments.value(option)) throw UsageError(std::string("--") + option + " sets distillation: give --teacher DIR too");
    settings.distillation.temperature = arguments.number("temperature", 2.0, 1e-3, 1e3);
    settings.distillation.alpha = arguments.number("distill-alpha", 0.5, 0.0, 1.0);
    settings.distillation.hiddenWeight = arguments.number("hidden-loss", 0.0, 0.0, 1e6);

    ProgressPrinter printer(arguments.flag("quiet"));
    const FineTuneJobResult result = runFineTuneJob(job, &printer);
    if (arguments.flag("json")) {
        std::cout << result.summary.dump() << "\n";
    } else {
        std::cout << "saved the best epoch (" << result.report.bestEpoch << ") to " << job.out.string() << "\n"
                  << "dev " << job.task->name << ": " << metricsJson(result.dev.metrics).dump() << "\n";
    }
    return 0;
}

}  // namespace

Command finetuneCommand()
{
    Command command{"finetune", "fine-tune a model on a GLUE task, SQuAD or your own data and save the best epoch",
                    "usage: axformer finetune --model DIR --task T --data PATH --out DIR [options]\n\n"
                    "Carves a validation split out of the training data (--val-fraction 0.15, --seed 42), trains\n"
                    "with AdamW (decoupled weight decay), linear warm-up and decay and gradient clipping, evaluates\n"
                    "on val after every epoch, saves the best epoch to OUT (a Hugging Face model folder) and\n"
                    "reports its metrics on the official dev set. OUT/finetune.json holds the whole report.\n"
                    "After every epoch the run's state goes to OUT.training-state.pt beside OUT: a run that was\n"
                    "stopped (Ctrl+C, kill, power loss) continues with --resume and ends with the same weights.\n\n"
                    "  --task {cola,sst2,mrpc,stsb,qqp,mnli,qnli,rte,wnli,squad,custom}\n"
                    "  --data PATH          GLUE task folder (train.tsv, dev.tsv), SQuAD folder/JSON, or\n"
                    "                       a custom task's folder (below)\n"
                    "  --epochs N (3)  --batch-size N (32)  --lr X (2e-5)  --warmup F (0.1)\n"
                    "  --weight-decay X (0.01)  --max-grad-norm X (1.0)  --max-seq-len N (128)\n"
                    "  --doc-stride N (max-seq-len/2, SQuAD)  --seed N (42)  --val-fraction F (0.15)\n"
                    "  --max-train N, --max-eval N   use only the first N examples\n"
                    "  --val-fraction 0     no val split: train on all of train, keep the last epoch\n"
                    "  --from-scratch       re-initialise every weight (the random-init baseline)\n"
                    "  --teacher DIR        distil a fine-tuned model of the same task into this one (e.g.\n"
                    "                       re-fine-tune a sliced model with its original as teacher): the loss\n"
                    "                       is A * soft + (1 - A) * task loss, soft = KL to the teacher's\n"
                    "                       softmax at temperature T, times T^2 (regression: squared difference)\n"
                    "  --temperature T (2)  --distill-alpha A (0.5)\n"
                    "  --hidden-loss W (0)  add W * mean squared error of the last hidden states\n"
                    "  --resume             continue a stopped run at its last finished epoch (same options)\n"
                    "  --threads N  --quiet  --json\n",
                    {"json", "from-scratch", "resume"},
                    {"model", "out", "epochs", "lr", "warmup", "weight-decay", "max-grad-norm", "teacher", "temperature",
                     "distill-alpha", "hidden-loss"},
                    runFinetune};
    addTaskOptions(command);
    return command;
}

}  // namespace ax::cli
