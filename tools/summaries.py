"""One-line Chinese descriptions of the tools, next to their English docstrings (for MCP hosts and
other tool catalogues shown to Chinese-speaking users). Keyed by tool name; a test checks every tool has one."""

SUMMARY_ZH: dict[str, str] = {
    "invoice_merge_check": "判断多笔激励能否合并开在一张发票上,并按申付单分组:批量申请的同一申付单可跨账期合并,单个申请的每笔需单独开票。",
    "po_assessment_check": "判断 PO 能否在 PCE 中继续流转,以及是否计入考核口径(关联联营商品的 PO 视情况而定)。",
    "bill_timing": "计算某账期的伙伴账单按北京时间在次月5日12:00前生成的截止时间,并换算到调用方所在时区。",
    "performance_visibility": "计算某一天的业绩数据在哪个工作日可以查看(按官方节假日和调休日历,次一个工作日)。",
    "consumption_lookback": "判断某个起始日期的客户消费是否仍在可查询的前溯18个月范围内(按北京时间逐日对齐)。",
    "stored_value_card_credit": "计算储值卡交易计入的业绩:购买储值卡不计业绩,使用储值卡购买云服务按现金支付的额度计入。",
    "attribution_start": "计算客户分配给客户经理后,业绩看板和消费看板分别从哪一天开始统计。",
    "opportunity_permission": "判断某个角色能否为该客户报备商机、能否查看,以及商机归属。",
    "order_visibility": "判断伙伴业务员能否看到某个客户的订单(仅限自己名下的客户)。",
    "error_code_lookup": "按资料中的状态码表对 HTTP 状态码或 CBC 错误码分类并给出处理建议(资料截断处不作补充)。",
    "menu_path_lookup": "查找伙伴中心中某项操作的菜单路径和操作步骤。",
    "duration_deadline": "按资料中的时长规则(数量、单位、方向),从事件时间算出确切的日期或截止时间。",
}
