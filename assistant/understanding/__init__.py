"""Understanding: a message plus the dialogue state becomes a typed Frame.

normalise (once: width, script, language) -> slots (dates, times, zones, amounts, each with its
span and the reading used) -> intent candidates (tools) -> the dialogue move.
"""

from .cues import asks_amount, asks_how, asks_meaning, asks_open, asks_where, asks_yes_no, continues, language_request, particular, preface, where_phrases
from .dialogue import USER_FACTS, Cues, Decision, DialogueState, LastResult, LastTopic, PendingTool, decide
from .frame import Frame
from .normalise import Normalised, normalise

__all__ = ["USER_FACTS", "asks_amount", "asks_how", "asks_meaning", "asks_open", "preface", "where_phrases", "Cues", "Decision", "DialogueState", "Frame", "LastResult", "LastTopic", "Normalised",
           "PendingTool", "asks_where", "asks_yes_no", "continues", "decide", "particular", "language_request", "normalise"]
