"""Código de la lección 08_generacion_de_texto.ipynb (celdas con la etiqueta export:text).

Generado por `make notebooks` a partir de notebooks/08_generacion_de_texto.ipynb: no lo edites aquí. Edita esas celdas
en la lección y ejecuta `make notebooks`; `make test` comprueba que coinciden.
"""

import keras


class CharModel(keras.Model):
    """Embedding → GRU → Dense: logits del carácter siguiente en cada posición.

    ``model(ids)`` devuelve logits (lote, tiempo, vocabulario). Con ``return_state=True`` devuelve
    además el estado de la GRU, que ``states=`` vuelve a recibir: así se genera de a un carácter.
    """

    def __init__(self, vocab_size, embedding_dim=256, rnn_units=1024, **kwargs):
        super().__init__(**kwargs)
        self.vocab_size = int(vocab_size)
        self.embedding_dim = int(embedding_dim)
        self.rnn_units = int(rnn_units)
        self.embedding = keras.layers.Embedding(vocab_size, embedding_dim)
        self.gru = keras.layers.GRU(rnn_units, return_sequences=True, return_state=True)
        self.dense = keras.layers.Dense(vocab_size)  # una salida (logit) por carácter

    def call(self, inputs, states=None, return_state=False, training=False):
        x = self.embedding(inputs, training=training)
        if states is None:
            x, states = self.gru(x, training=training)
        else:
            x, states = self.gru(x, initial_state=states, training=training)
        logits = self.dense(x, training=training)
        return (logits, states) if return_state else logits

    def get_config(self):
        return {**super().get_config(), "vocab_size": self.vocab_size,
                "embedding_dim": self.embedding_dim, "rnn_units": self.rnn_units}


def char_model_params(vocab_size, embedding_dim, rnn_units):
    """Parámetros de CharModel: embedding + GRU (reset_after=True, dos sesgos por bloque) + densa."""
    embedding = vocab_size * embedding_dim
    gru = 3 * (rnn_units * (embedding_dim + rnn_units) + 2 * rnn_units)
    dense = rnn_units * vocab_size + vocab_size
    return embedding + gru + dense


import numpy as np
import tensorflow as tf

from course_utils.data.text import UNK, ids_to_text, text_to_ids


def softmax_with_temperature(logits, temperature):
    """softmax(logits / T) en el último eje, numéricamente estable (resta el máximo)."""
    if not temperature > 0:
        raise ValueError(f"La temperatura debe ser positiva; recibí {temperature}.")
    z = np.asarray(logits, dtype=np.float64) / temperature
    z = z - np.max(z, axis=-1, keepdims=True)
    p = np.exp(z)
    return p / p.sum(axis=-1, keepdims=True)


def sample_next(logits, temperature, rng, banned=()):
    """Sortea un id de softmax(logits / T); los ids de ``banned`` nunca salen."""
    logits = np.array(logits, dtype=np.float64)
    if logits.ndim != 1:
        raise ValueError(f"Se esperaba un vector de logits; la forma es {logits.shape}.")
    logits[list(banned)] = -np.inf
    return int(rng.choice(logits.size, p=softmax_with_temperature(logits, temperature)))


def generate_text(model, ids_from_chars, chars_from_ids, prompt, n_chars, *, temperature=1.0, seed=0):
    """``prompt`` seguido de ``n_chars`` caracteres sorteados de a uno (misma semilla, mismo texto).

    El texto inicial se lee una vez; después cada paso recibe solo el último carácter y el estado
    de la GRU. Nunca genera ``[UNK]``.
    """
    if not prompt:
        raise ValueError("El texto inicial (prompt) no puede estar vacío.")
    rng = np.random.default_rng(seed)
    banned = [int(ids_from_chars(tf.constant(UNK)).numpy())]

    @tf.function(reduce_retracing=True)
    def step(ids, states):
        logits, states = model(ids, states=states, return_state=True)
        return logits[:, -1, :], states

    ids = tf.constant(text_to_ids(prompt, ids_from_chars)[np.newaxis, :])
    logits, states = model(ids, return_state=True)  # lee el texto inicial completo
    logits = logits[:, -1, :]
    generated = []
    for _ in range(int(n_chars)):
        next_id = sample_next(logits.numpy()[0], temperature, rng, banned)
        generated.append(next_id)
        logits, states = step(tf.constant([[next_id]], dtype=tf.int64), states)
    return prompt + ids_to_text(generated, chars_from_ids)


from keras import layers

from course_utils.data.text import join_words, word_tokens


def build_word_lstm(vocab_size, *, embedding_dim=128, units=256, n_layers=2, dropout=0.2,
                    name="word_lstm"):
    """Embedding → ``n_layers`` LSTM (devuelven la secuencia entera) → Dense con logits por palabra."""
    stack = [keras.Input(shape=(None,), dtype="int64"), layers.Embedding(vocab_size, embedding_dim)]
    for _ in range(n_layers):
        stack.append(layers.LSTM(units, return_sequences=True, dropout=dropout))
    stack.append(layers.Dense(vocab_size, name="logits"))
    return keras.Sequential(stack, name=name)


def word_lstm_params(vocab_size, embedding_dim, units, n_layers=2):
    """Parámetros de build_word_lstm: embedding + LSTM (4 bloques, un sesgo) + densa."""
    total = vocab_size * embedding_dim
    inputs = embedding_dim
    for _ in range(n_layers):
        total += 4 * (units * (inputs + units) + units)
        inputs = units
    return total + units * vocab_size + vocab_size


def generate_words(model, ids_from_words, words_from_ids, prompt, n_words, *, context,
                   temperature=1.0, seed=0):
    """``prompt`` seguido de ``n_words`` tokens sorteados, unidos con ``join_words``.

    El modelo no guarda estado: en cada paso relee los últimos ``context`` tokens. Nunca genera
    ``[UNK]``.
    """
    rng = np.random.default_rng(seed)
    tokens = word_tokens(prompt)
    if not tokens:
        raise ValueError("El texto inicial (prompt) no tiene palabras.")
    ids = list(ids_from_words(tf.constant(tokens)).numpy())
    banned = [int(ids_from_words(tf.constant(UNK)).numpy())]

    @tf.function(reduce_retracing=True)
    def last_logits(window):
        return model(window)[:, -1, :]

    for _ in range(int(n_words)):
        window = tf.constant([ids[-context:]], dtype=tf.int64)
        ids.append(sample_next(last_logits(window).numpy()[0], temperature, rng, banned))
    words = [w.decode("utf-8") for w in words_from_ids(tf.constant(ids, dtype=tf.int64)).numpy()]
    return join_words(words)


import math


def perplexity(loss_nats):
    """e elevado a la pérdida: entre cuántas opciones igual de probables duda el modelo."""
    return float(math.exp(loss_nats))


def bits_per_char(loss_nats_per_token, n_tokens, n_chars):
    """Entropía cruzada de un texto en bits por carácter, sea cual sea la unidad del modelo.

    L nats por token en n_tokens tokens son L · n_tokens / ln 2 bits; se dividen por los n_chars
    caracteres del mismo texto (para un modelo de caracteres es L / ln 2).
    """
    if n_tokens <= 0 or n_chars <= 0:
        raise ValueError("`n_tokens` y `n_chars` deben ser positivos.")
    return float(loss_nats_per_token * n_tokens / (n_chars * math.log(2)))
