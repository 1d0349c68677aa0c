"""Messages that are not questions about the rules: instructions aimed at the assistant, and tasks.

Both are matched on simplified text, so Traditional wording is caught too (無視 -> 无视).
"""

from __future__ import annotations

import re

from knowledge.lexical import to_simplified

# Text that tries to re-instruct the assistant: a verb of dismissal aimed at its rules, a new role,
# or a request for its hidden configuration. Broad on purpose: a false alarm costs one abstention.
_DISMISS_EN = r"(?:ignore|disregard|forget|override|bypass|skip|drop|abandon)"
_RULES_EN = r"(?:instructions?|rules?|prompts?|guidelines?|directions?|restrictions?|constraints?|policies|policy|settings?)"
_DISMISS_ZH = r"(?:忽略|无视|忘记|忘掉|不要理会|不用理会|别管|不要管|跳过|绕过|抛开|撇开)"
_RULES_ZH = r"(?:指令|指示|规则|要求|设定|提示|限制|约束|说明)"
_INJECTION = re.compile(
    rf"\b{_DISMISS_EN}\b(?:\W+\w+){{0,3}}?\W+{_RULES_EN}\b|"
    r"system prompt|hidden (?:instructions?|prompt)|you are now|from now on,? (?:you|answer|say|reply)|"
    r"^\W*(?:system|assistant|developer)\s*[:：]|\bnew (?:rules?|instructions?)\b|"
    r"\b(?:you|the assistant) (?:must|should|shall|will) (?:now|from now|always)\b|\bi authori[sz]e you\b|"
    r"\bact as\b|\bpretend\b|role-?play as|\bas if you (?:were|are)\b|jailbreak|developer mode|"
    r"\bnew polic(?:y|ies)\b|\b(?:reveal|print|show|display|output|repeat|dump)\b.{0,30}\byour (?:configuration|"
    r"config|instructions|prompt|system|settings)\b|"
    rf"{_DISMISS_ZH}.{{0,8}}?{_RULES_ZH}|新规则|新指令|系统提示|提示词|你现在是|现在你是|从现在开始你|扮演|假装|越狱|管理员密码|"
    r"(?:请|你)以.{1,12}?的?身份|你的(?:系统)?(?:设定|配置)|系统(?:设定|设置)原文|管理员(?:消息|指令|通知)[::]|"
    r"(?:没有|不受)任何限制|(?:取消|关闭).{0,4}(?:规则|限制|安全)检查",
    re.IGNORECASE)
# Requests to produce text (translate, write, summarise) are tasks, not questions about the rules.
_TASK = re.compile(
    r"^\W*(?:please\s+)?(?:translate|summari[sz]e|write|compose|draft|generate)\b|"
    r"\b(?:can|could|would) you (?:please )?(?:translate|summari[sz]e|write|compose|draft|generate)\b|"
    r"\btell me a (?:joke|story|poem)\b|翻译|(?:帮我|请|给我|替我|帮忙)(?:把.{1,15}?)?(?:写|总结|概括|起草|生成|编写|翻)|(?:总结|概括)成|"
    r"写(?:一|个)?[封篇首段份个]?(?:邮件|诗|脚本|代码|文章|周报|报告|小说|故事|程序)|讲个笑话",
    re.IGNORECASE)


def is_instruction(text: str) -> bool:
    """Does the text try to re-instruct the assistant (prompt injection)?"""
    return bool(_INJECTION.search(to_simplified(text)))


def is_task(text: str) -> bool:
    """Does the text ask for something to be written, translated or summarised?"""
    return bool(_TASK.search(to_simplified(text)))
