"""tensorflow-datasets sources for :func:`seqkit.data.load_text`.

A registered tfds name is loaded with its builder; an unprepared dataset is downloaded only
after one TCP connection check per host (:func:`_probe_hosts`), so an offline machine gets
one :class:`DatasetUnavailableError` at once, with the commands that prepare the data
elsewhere, instead of tfds' retry loop.
"""

from __future__ import annotations

import re
import socket
import urllib.parse
import urllib.request

import numpy as np

from seqkit.errors import DataError, DatasetUnavailableError

_TFDS_NAME = re.compile(r"^[a-z][a-z0-9_]*(/[A-Za-z0-9_.\-]+)?(:[0-9.*]+)?$")


def _tfds_builder_cls(source: str):
    """Return the tfds builder class when ``source`` is a registered tfds name, else None."""
    if not _TFDS_NAME.match(source):
        return None
    try:
        import tensorflow_datasets as tfds
    except ImportError:  # pragma: no cover - tfds is a declared dependency
        return None
    base = source.split(":")[0].split("/")[0]
    try:
        return tfds.builder_cls(base)
    except Exception:  # DatasetNotFoundError and name-parsing errors
        return None


def _probe_hosts(urls, timeout: float = 5.0) -> tuple[int, list[str]]:
    """Try one TCP connection per distinct host (or to the proxy).

    Returns ``(number of hosts tried, descriptions of the failed ones)``.

    One attempt each, no retries: used before a tfds download so that an offline machine gets
    one clear error at once instead of tfds' urllib3 retry loop (10 tries with back-off).
    """
    proxies = urllib.request.getproxies()
    failures, seen = [], set()
    for url in urls:
        parsed = urllib.parse.urlparse(url)
        scheme = parsed.scheme or "http"
        proxy = proxies.get(scheme)
        target = urllib.parse.urlparse(proxy) if proxy else parsed
        host = target.hostname
        port = target.port or (443 if (target.scheme or scheme) == "https" else 80)
        if not host or (host, port) in seen:
            continue
        seen.add((host, port))
        try:
            with socket.create_connection((host, port), timeout=timeout):
                pass
        except OSError as err:
            failures.append(f"{host}:{port} ({type(err).__name__}: {err})")
    return len(seen), failures


def _tfds_help(name: str, data_dir: str) -> str:
    """How to prepare ``name`` elsewhere and bring it here (the tail of the offline error)."""
    return (
        f"To use it offline, prepare it on a machine with network access: "
        f"`tfds build {name} --data_dir {data_dir}` (or "
        f"`tfds.builder({name!r}, data_dir={data_dir!r}).download_and_prepare()`), then copy "
        f"{data_dir} to this machine and pass data_dir=. Or pass local files to load_text "
        "(.tsv/.csv/.jsonl or a folder)."
    )


def _find_tfds_keys(features, supervised_keys, text_column, label_column, name):
    """The text and label feature names: given, else ``supervised_keys``, else the only one."""
    import tensorflow_datasets as tfds

    texts = [k for k, f in features.items() if isinstance(f, tfds.features.Text)]
    classes = [k for k, f in features.items() if isinstance(f, tfds.features.ClassLabel)]
    sk = supervised_keys if isinstance(supervised_keys, tuple) and len(supervised_keys) == 2 \
        else (None, None)
    text_key = text_column or (sk[0] if sk[0] in texts else (texts[0] if len(texts) == 1
                                                                 else None))
    label_key = label_column or (sk[1] if sk[1] in classes else (classes[0] if len(classes) == 1
                                                                  else None))
    if text_key is None or label_key is None or text_key not in features \
            or label_key not in features:
        raise DataError(
            f"tfds dataset {name!r}: cannot tell the text/label features apart (Text features "
            f"{texts}, ClassLabel features {classes}); pass text_column= and label_column="
        )
    return text_key, label_key


def _tfds_split_to_numpy(builder, split, text_key, label_key):
    """One split as ``(list of bytes texts, int labels array)``."""
    ds = builder.as_dataset(split=split, shuffle_files=False)
    ds = ds.map(lambda ex: (ex[text_key], ex[label_key])).batch(4096)
    texts, labels = [], []
    for t, y in ds.as_numpy_iterator():
        texts.extend(t.tolist())
        labels.append(np.asarray(y))
    labels = np.concatenate(labels) if labels else np.zeros(0, np.int64)
    return texts, labels


def _ensure_prepared(builder, name: str, root: str) -> None:
    """Download and prepare ``builder`` unless it is prepared; one clear error offline."""
    import tensorflow_datasets as tfds

    if builder.is_prepared():
        return
    urls = list(getattr(builder, "url_infos", None) or {})
    tried, failures = _probe_hosts(urls)
    if tried and len(failures) == tried:
        raise DatasetUnavailableError(
            f"tensorflow-datasets {name!r} is not prepared in {builder.data_path} (data_dir "
            f"{root}) and cannot be downloaded here: no connection to "
            f"{'; '.join(failures[:3])}. " + _tfds_help(name, root)
        )
    try:
        builder.download_and_prepare(
            download_config=tfds.download.DownloadConfig(try_download_gcs=False)
        )
    except Exception as err:  # tfds raises many types (requests, OSError, checksum...)
        raise DatasetUnavailableError(
            f"tensorflow-datasets {name!r} is not prepared in {builder.data_path} (data_dir "
            f"{root}) and download_and_prepare failed: {type(err).__name__}: "
            f"{str(err)[:300]}. " + _tfds_help(name, root)
        ) from err


def tfds_class_names(feature) -> list:
    """The class names of a tfds ``ClassLabel``: its names, or its integers when it has none.

    A ``ClassLabel(names=[...])`` gives those names (strings, in the feature's order: id
    ``k`` is ``names[k]``). A ``ClassLabel(num_classes=K)`` has no names (tfds makes up
    ``"0".."K-1"``); its labels are the integers the dataset yields, so the classes are
    ``0..K-1`` as ``int``.

    Args:
        feature: a ``tfds.features.ClassLabel`` (only its ``names`` are read).

    Returns:
        The class names in id order.

    Example (stand-ins with the ``names`` that tfds' ``ClassLabel`` gives):

    >>> from types import SimpleNamespace
    >>> tfds_class_names(SimpleNamespace(names=["neg", "pos"]))  # ClassLabel(names=...)
    ['neg', 'pos']
    >>> tfds_class_names(SimpleNamespace(names=["0", "1", "2"]))  # ClassLabel(num_classes=3)
    [0, 1, 2]
    """
    names = list(feature.names)
    if names == [str(k) for k in range(len(names))]:
        return list(range(len(names)))
    return names


def _named(part, class_names):
    """``(texts, labels as class names)`` of one split of ids."""
    texts, ids = part
    return texts, [class_names[int(k)] for k in ids]


def _load_tfds(name, data_dir, text_column, label_column, max_examples):
    """``(train, test or None, class_names, description)`` of a tfds text dataset.

    ``test`` is the source's ``test`` split (``validation`` when there is no test split),
    None when it is unlabelled; ``max_examples`` reads the first N of each split. Labels
    are returned as class names (:func:`tfds_class_names`).
    """
    import tensorflow_datasets as tfds

    builder = tfds.builder(name, data_dir=data_dir)
    root = str(getattr(builder, "data_dir_root", None) or data_dir or "~/tensorflow_datasets")
    _ensure_prepared(builder, name, root)
    features = builder.info.features
    text_key, label_key = _find_tfds_keys(
        features, builder.info.supervised_keys, text_column, label_column, name
    )
    class_names = tfds_class_names(features[label_key])
    available = set(builder.info.splits.keys()) if builder.info.splits else set()
    test_split = "test"
    if available and "test" not in available:
        test_split = "validation" if "validation" in available else None

    def spec(split):
        return f"{split}[:{max_examples}]" if max_examples else split

    train = _tfds_split_to_numpy(builder, spec("train"), text_key, label_key)
    test = None
    if test_split is not None:
        test = _tfds_split_to_numpy(builder, spec(test_split), text_key, label_key)
        if len(test[1]) and (test[1] < 0).any():  # unlabelled test split (e.g. GLUE)
            test = None
    desc = f"tensorflow-datasets {name} ({text_key!r}/{label_key!r}, data_dir {root})"
    test = _named(test, class_names) if test is not None else None
    return _named(train, class_names), test, class_names, desc
