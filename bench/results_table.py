"""What the bench scripts share to read their JSON outputs and write dev metrics in tables."""
import json


def loader(folder):
    """A function that reads FOLDER/name as JSON."""
    return lambda name: json.load(open(f"{folder}/{name}"))


def dev_metric(result, task):
    """MRPC as "accuracy / F1", the other tasks as accuracy, in percent."""
    metrics = result["metrics"]
    if task == "mrpc":
        return f"{100 * metrics['accuracy']:.1f} / {100 * metrics['f1']:.1f}"
    return f"{100 * metrics['accuracy']:.1f}"
